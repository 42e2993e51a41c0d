/** Iceberg v2 snapshots (spec: "Snapshots"). */

export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** Summary values are strings per the spec; `operation` is required. */
export type SnapshotSummary = Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };

export interface Snapshot {
  /** Random positive id, ≤ 2^53−1 so plain JSON.parse readers (iceberg-js) keep it exact. */
  readonly 'snapshot-id': number;
  readonly 'parent-snapshot-id'?: number;
  readonly 'sequence-number': number;
  readonly 'timestamp-ms': number;
  /** Location of the Avro manifest list. */
  readonly 'manifest-list': string;
  readonly summary: SnapshotSummary;
  readonly 'schema-id': number;
}

export interface SnapshotRef {
  readonly 'snapshot-id': number;
  readonly type: 'branch' | 'tag';
}

export const MAIN_BRANCH = 'main';

/** Summary keys with this prefix are lakegraph's own and are carried from parent to child snapshot. */
export const CARRIED_PROPERTY_PREFIX = 'lakegraph.';
