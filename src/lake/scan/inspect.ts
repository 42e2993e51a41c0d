/** The lake side of `lakegraph status`: snapshots with their summaries, live file counts. */
import type { FileIO } from '../io/file-io.js';
import { readManifestList } from '../manifest/manifest-list.js';
import { liveFilesCount } from '../spec/manifest.js';
import type { SnapshotId, SnapshotSummary } from '../spec/snapshot.js';
import { currentSnapshot, snapshotById, type TableMetadata } from '../spec/table-metadata.js';

export interface SnapshotInfo {
  readonly snapshotId: SnapshotId;
  readonly parentSnapshotId: SnapshotId | undefined;
  readonly sequenceNumber: number;
  readonly committedAt: Date;
  readonly summary: SnapshotSummary;
  readonly isCurrent: boolean;
}

/** Oldest first. */
export function listSnapshots(metadata: TableMetadata): SnapshotInfo[] {
  const current = currentSnapshot(metadata)?.['snapshot-id'];
  return [...metadata.snapshots]
    .sort((a, b) => a['sequence-number'] - b['sequence-number'])
    .map((s) => ({
      snapshotId: s['snapshot-id'],
      parentSnapshotId: s['parent-snapshot-id'],
      sequenceNumber: s['sequence-number'],
      committedAt: new Date(s['timestamp-ms']),
      summary: s.summary,
      isCurrent: s['snapshot-id'] === current,
    }));
}

export interface LiveFileStats {
  readonly dataFiles: number;
  readonly records: bigint;
  readonly manifests: number;
}

/** Counted from the manifest list alone (its per-manifest counts), without opening manifests. */
export async function liveFileStats(io: FileIO, metadata: TableMetadata, snapshotId?: SnapshotId): Promise<LiveFileStats> {
  const snapshot = snapshotId === undefined ? currentSnapshot(metadata) : snapshotById(metadata, snapshotId);
  if (!snapshot) return { dataFiles: 0, records: 0n, manifests: 0 };
  const manifests = (await readManifestList(io, snapshot['manifest-list'])).filter((m) => liveFilesCount(m) > 0);
  return {
    dataFiles: manifests.reduce((n, m) => n + liveFilesCount(m), 0),
    records: manifests.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0n),
    manifests: manifests.length,
  };
}
