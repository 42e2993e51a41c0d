/**
 * What `lakegraph status` reports per graph table: its snapshots, the current one, the
 * live data files, and the Kafka offsets its current snapshot covers per topic.
 */
import { NoSuchTableError, type Catalog } from '../../lake/catalog/catalog.js';
import { planFiles } from '../../lake/scan/plan-files.js';
import { liveFileStats } from '../../lake/scan/inspect.js';
import type { SnapshotId, SnapshotOperation } from '../../lake/spec/snapshot.js';
import { carriedProperties } from '../../lake/spec/carried-properties.js';
import { currentSnapshot } from '../../lake/spec/table-metadata.js';
import { NAMESPACE, type TableName } from '../../lake/tables.js';
import { offsetsKey, positionsOf, sourceOf } from '../../stream/job/source-positions.js';

const OFFSETS_PREFIX = offsetsKey('');

export interface CurrentSnapshotStatus {
  readonly snapshotId: SnapshotId;
  readonly committedAt: string;
  readonly operation: SnapshotOperation;
}

export interface TableStatus {
  readonly table: TableName;
  readonly exists: boolean;
  readonly snapshots: number;
  readonly current: CurrentSnapshotStatus | undefined;
  readonly liveDataFiles: number;
  readonly liveBytes: bigint;
  readonly liveRecords: bigint;
  readonly manifests: number;
  /** topic → partition → next offset not yet in the table. */
  readonly offsets: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** topic → the log those offsets count in, where the table records it (source-positions.ts). */
  readonly sources: ReadonlyMap<string, string>;
}

export async function tableStatus(catalog: Catalog, table: TableName): Promise<TableStatus> {
  let metadata;
  try {
    metadata = await catalog.loadTable({ namespace: [NAMESPACE], name: table });
  } catch (error) {
    if (!(error instanceof NoSuchTableError)) throw error;
    return { table, exists: false, snapshots: 0, current: undefined, liveDataFiles: 0, liveBytes: 0n, liveRecords: 0n, manifests: 0, offsets: new Map(), sources: new Map() };
  }
  const snapshot = currentSnapshot(metadata);
  const { files } = await planFiles(catalog.io, metadata);
  const { manifests } = await liveFileStats(catalog.io, metadata);
  const carried = carriedProperties(metadata, snapshot);
  const topics = Object.keys(carried)
    .filter((key) => key.startsWith(OFFSETS_PREFIX))
    .map((key) => key.slice(OFFSETS_PREFIX.length))
    .sort();
  return {
    table,
    exists: true,
    snapshots: metadata.snapshots.length,
    current: snapshot && {
      snapshotId: snapshot['snapshot-id'],
      committedAt: new Date(snapshot['timestamp-ms']).toISOString(),
      operation: snapshot.summary.operation,
    },
    liveDataFiles: files.length,
    liveBytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0n),
    liveRecords: files.reduce((n, f) => n + f.recordCount, 0n),
    manifests,
    offsets: new Map(topics.map((topic) => [topic, positionsOf(carried, topic).offsets])),
    sources: new Map(topics.flatMap((topic) => {
      const source = sourceOf(carried, topic);
      return source === undefined ? [] : [[topic, source] as const];
    })),
  };
}
