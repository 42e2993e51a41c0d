/** Iceberg v2 table metadata (spec: "Table Metadata"), as stored in `v<N>.metadata.json`. */
import type { PartitionSpec } from './partition-spec.js';
import type { Schema } from './schema.js';
import type { Snapshot, SnapshotId, SnapshotRef } from './snapshot.js';
import { MAIN_BRANCH } from './snapshot.js';
import { UNSORTED, type SortOrder } from './sort-order.js';

export interface SnapshotLogEntry {
  readonly 'timestamp-ms': number;
  readonly 'snapshot-id': SnapshotId;
}

export interface MetadataLogEntry {
  readonly 'timestamp-ms': number;
  readonly 'metadata-file': string;
}

export interface TableMetadata {
  readonly 'format-version': 2;
  readonly 'table-uuid': string;
  readonly location: string;
  readonly 'last-sequence-number': number;
  readonly 'last-updated-ms': number;
  readonly 'last-column-id': number;
  readonly schemas: readonly Schema[];
  readonly 'current-schema-id': number;
  readonly 'partition-specs': readonly PartitionSpec[];
  readonly 'default-spec-id': number;
  readonly 'last-partition-id': number;
  readonly properties: Readonly<Record<string, string>>;
  /** Absent or null while the table has no snapshot (other writers' -1 is read as null). */
  readonly 'current-snapshot-id'?: SnapshotId | null;
  readonly snapshots: readonly Snapshot[];
  readonly 'snapshot-log': readonly SnapshotLogEntry[];
  readonly 'metadata-log': readonly MetadataLogEntry[];
  readonly 'sort-orders': readonly SortOrder[];
  readonly 'default-sort-order-id': number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
}

/** The snapshot `main` points at, or undefined for an empty table. */
export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata.refs[MAIN_BRANCH]?.['snapshot-id'] ?? metadata['current-snapshot-id'];
  if (id === undefined || id === null) return undefined;
  return snapshotById(metadata, id);
}

export function snapshotById(metadata: TableMetadata, snapshotId: SnapshotId): Snapshot {
  const snapshot = metadata.snapshots.find((s) => s['snapshot-id'] === snapshotId);
  if (!snapshot) throw new Error(`table ${metadata['table-uuid']} has no snapshot ${snapshotId}`);
  return snapshot;
}

export function currentSchema(metadata: TableMetadata): Schema {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (!schema) throw new Error(`table ${metadata['table-uuid']} has no schema ${metadata['current-schema-id']}`);
  return schema;
}

export function partitionSpecById(metadata: TableMetadata, specId: number): PartitionSpec {
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === specId);
  if (!spec) throw new Error(`table ${metadata['table-uuid']} has no partition spec ${specId}`);
  return spec;
}

export function defaultPartitionSpec(metadata: TableMetadata): PartitionSpec {
  return partitionSpecById(metadata, metadata['default-spec-id']);
}

/** The order writers apply by default; a table without one is unsorted. */
export function defaultSortOrder(metadata: TableMetadata): SortOrder {
  const orderId = metadata['default-sort-order-id'];
  if (orderId === UNSORTED['order-id']) return UNSORTED;
  const order = metadata['sort-orders'].find((o) => o['order-id'] === orderId);
  if (!order) throw new Error(`table ${metadata['table-uuid']} has no sort order ${orderId}`);
  return order;
}
