/** Iceberg v2 snapshots (spec: "Snapshots"). */

/**
 * A snapshot id: any 64-bit integer, as other engines (Spark, Trino, PyIceberg) pick random
 * 63-bit ones. A bigint, since a JS number holds integers exactly only up to 2^53−1.
 */
export type SnapshotId = bigint;

export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** Summary values are strings per the spec; `operation` is required. */
export type SnapshotSummary = Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };

export interface Snapshot {
  readonly 'snapshot-id': SnapshotId;
  readonly 'parent-snapshot-id'?: SnapshotId;
  readonly 'sequence-number': number;
  readonly 'timestamp-ms': number;
  /** Location of the Avro manifest list. */
  readonly 'manifest-list': string;
  readonly summary: SnapshotSummary;
  readonly 'schema-id': number;
}

export interface SnapshotRef {
  readonly 'snapshot-id': SnapshotId;
  readonly type: 'branch' | 'tag';
}

export const MAIN_BRANCH = 'main';

/** Summary keys with this prefix are lakegraph's own and are carried from parent to child snapshot. */
export const CARRIED_PROPERTY_PREFIX = 'lakegraph.';
