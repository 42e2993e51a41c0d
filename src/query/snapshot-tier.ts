/**
 * The committed tier of a query session: for each graph table, the current snapshot, its
 * live data files (planned once per snapshot, then pruned per query in memory) and the
 * Kafka positions it covers, which is where the hot tier begins.
 */
import type { Catalog } from '../lake/catalog/catalog.js';
import type { DataFile } from '../lake/spec/data-file.js';
import { BoundFilter, type Filter } from '../lake/scan/filter.js';
import { carriedProperties } from '../lake/spec/carried-properties.js';
import { ManifestCache } from '../lake/scan/manifest-cache.js';
import { planFiles } from '../lake/scan/plan-files.js';
import { snapshotAsOf } from '../lake/scan/snapshot-as-of.js';
import { AsOfError, momentIn, type AsOf } from './as-of.js';
import type { SnapshotId } from '../lake/spec/snapshot.js';
import { currentSchema, currentSnapshot, partitionSpecById, type TableMetadata } from '../lake/spec/table-metadata.js';
import { NAMESPACE, TABLE_NAMES, type TableName } from '../lake/tables.js';
import { positionsOf, type PartitionOffsets } from '../stream/job/source-positions.js';

export interface TableSnapshot {
  readonly metadata: TableMetadata;
  /** undefined while the table has no snapshot. */
  readonly snapshotId: SnapshotId | undefined;
  readonly files: readonly DataFile[];
  /** The table's manifests parsed so far, handed from snapshot to snapshot. */
  readonly manifests: ManifestCache;
}

export type SnapshotTier = Readonly<Record<TableName, TableSnapshot>>;

export async function loadTableSnapshot(catalog: Catalog, name: TableName, previous?: TableSnapshot): Promise<TableSnapshot> {
  return tableSnapshotOf(catalog, name, await catalog.loadTable({ namespace: [NAMESPACE], name }), previous);
}

/** `asOfMs`: the table as its newest snapshot at or before that moment held it, instead of now. */
async function tableSnapshotOf(catalog: Catalog, name: TableName, metadata: TableMetadata, previous?: TableSnapshot, asOfMs?: number): Promise<TableSnapshot> {
  const snapshotId = asOfMs === undefined ? currentSnapshot(metadata)?.['snapshot-id'] : heldAsOf(metadata, name, asOfMs);
  if (previous !== undefined && previous.snapshotId === snapshotId) return previous;
  const manifests = previous?.manifests ?? new ManifestCache();
  const plan = snapshotId === undefined ? { files: [] } : await planFiles(catalog.io, metadata, { manifests, snapshotId });
  return { metadata, snapshotId, files: plan.files, manifests };
}

function heldAsOf(metadata: TableMetadata, name: TableName, asOfMs: number): TableSnapshot['snapshotId'] {
  const found = snapshotAsOf(metadata, asOfMs);
  if (found.held) return found.snapshot?.['snapshot-id'];
  const { oldest } = found;
  throw new AsOfError(
    `${NAMESPACE}.${name} no longer holds a snapshot at or before ${new Date(asOfMs).toISOString()} (expired); the oldest it holds is ${oldest['snapshot-id']} of ${new Date(oldest['timestamp-ms']).toISOString()}`,
  );
}

export async function loadSnapshotTier(catalog: Catalog, previous?: SnapshotTier): Promise<SnapshotTier> {
  const snapshots = await Promise.all(TABLE_NAMES.map((name) => loadTableSnapshot(catalog, name, previous?.[name])));
  return tierOf(snapshots);
}

/**
 * The tier as of `asOf` (as-of.ts), and the moment it names. Each table's metadata is
 * loaded once, both to find the moment (a snapshot id may be any table's) and to plan it.
 */
export async function loadPastSnapshotTier(catalog: Catalog, asOf: AsOf): Promise<{ tier: SnapshotTier; asOfMs: number }> {
  const metadata = await Promise.all(TABLE_NAMES.map((name) => catalog.loadTable({ namespace: [NAMESPACE], name })));
  const asOfMs = momentIn(asOf, metadata);
  const snapshots = await Promise.all(TABLE_NAMES.map((name, i) => tableSnapshotOf(catalog, name, metadata[i]!, undefined, asOfMs)));
  return { tier: tierOf(snapshots), asOfMs };
}

function tierOf(snapshots: readonly TableSnapshot[]): SnapshotTier {
  return Object.fromEntries(TABLE_NAMES.map((name, i) => [name, snapshots[i]!])) as SnapshotTier;
}

export function sameSnapshots(a: SnapshotTier, b: SnapshotTier): boolean {
  return TABLE_NAMES.every((name) => a[name].snapshotId === b[name].snapshotId);
}

/** The next Kafka offset per partition that the table's snapshot does not hold yet. */
export function committedOffsets(table: TableSnapshot, topic: string): PartitionOffsets {
  return positionsOf(carriedProperties(table.metadata), topic).offsets;
}

/** Where to start reading a topic so dedup state is rebuilt exactly (see source-positions.ts). */
export function replayOffsets(tier: SnapshotTier, topic: string): Map<number, number> {
  const starts = new Map<number, number>();
  for (const name of ['edges', 'nodes'] as const) {
    const { offsets, replay } = positionsOf(carriedProperties(tier[name].metadata), topic);
    for (const [partition, offset] of offsets) {
      const from = Math.min(replay.get(partition) ?? offset, offset);
      starts.set(partition, Math.min(starts.get(partition) ?? from, from));
    }
  }
  return starts;
}

/** The table's data files that may hold rows matching `filter` (partition values, then column bounds). */
export function prunedFiles(table: TableSnapshot, filter: Filter): readonly DataFile[] {
  if (filter.length === 0) return table.files;
  const schema = currentSchema(table.metadata);
  const bound = new Map<number, BoundFilter>();
  return table.files.filter((file) => {
    let f = bound.get(file.specId);
    if (f === undefined) bound.set(file.specId, (f = new BoundFilter(filter, schema, partitionSpecById(table.metadata, file.specId))));
    return f.mayMatchFile(file);
  });
}
