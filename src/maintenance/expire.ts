/**
 * Snapshot expiry for one table: remove old snapshots from the metadata, then delete the
 * files only they needed (manifest lists, manifests, data files no kept snapshot lists as
 * live). The deletion follows the commit, so a crash in between leaves only orphans.
 */
import { reachableFiles } from '../lake/scan/reachable-files.js';
import { expireSnapshots } from '../lake/table/expire-snapshots.js';
import type { Table } from '../lake/table/table.js';
import { snapshotsToExpire, type SnapshotRetention } from './snapshot-retention.js';

export interface ExpiryResult {
  readonly snapshotsBefore: number;
  readonly snapshotsExpired: number;
  readonly filesDeleted: number;
}

export interface ExpiryOptions {
  readonly retention: SnapshotRetention;
  readonly nowMs: number;
  readonly dryRun: boolean;
  /** Test hook: reached after the expiry commit, before any file is deleted. */
  readonly onCommitted?: () => void;
}

export async function expireTableSnapshots(table: Table, options: ExpiryOptions): Promise<ExpiryResult> {
  const metadata = await table.refresh();
  const snapshotsBefore = metadata.snapshots.length;
  if (options.dryRun) {
    return { snapshotsBefore, snapshotsExpired: snapshotsToExpire(metadata, options.retention, options.nowMs).length, filesDeleted: 0 };
  }
  const expired = await expireSnapshots(table, (m) => snapshotsToExpire(m, options.retention, options.nowMs));
  if (expired.removed.length === 0) return { snapshotsBefore, snapshotsExpired: 0, filesDeleted: 0 };
  options.onCommitted?.();
  const kept = await reachableFiles(table.io, expired.metadata.snapshots);
  const gone = await reachableFiles(table.io, expired.removed);
  const deletable = [
    ...[...gone.dataFiles].filter((f) => !kept.dataFiles.has(f)),
    ...[...gone.metadata].filter((f) => !kept.metadata.has(f)),
  ];
  await Promise.all(deletable.map((path) => table.io.delete(path)));
  return { snapshotsBefore, snapshotsExpired: expired.removed.length, filesDeleted: deletable.length };
}
