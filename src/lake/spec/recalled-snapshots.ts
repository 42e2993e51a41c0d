/**
 * Snapshots that are no longer in a table's metadata (another engine expired them) but
 * that lakegraph read back from the table's older metadata files, by table uuid, so the
 * walk to the nearest snapshot with `lakegraph.*` properties (carried-properties.ts) can
 * pass through them. A snapshot never changes once committed, so what an older metadata
 * file says of it holds for every later load of the table; only the few snapshots of that
 * walk are kept (catalog/recall-expired-ancestry.ts).
 */
import type { Snapshot, SnapshotId } from './snapshot.js';

const recalled = new Map<string, Map<SnapshotId, Snapshot>>();

export function rememberExpiredSnapshots(tableUuid: string, snapshots: readonly Snapshot[]): void {
  let table = recalled.get(tableUuid);
  if (table === undefined) recalled.set(tableUuid, (table = new Map()));
  for (const snapshot of snapshots) table.set(snapshot['snapshot-id'], snapshot);
}

/** The expired snapshot `id` of the table, if an older metadata file of it was read for it. */
export function recalledSnapshot(tableUuid: string, id: SnapshotId): Snapshot | undefined {
  return recalled.get(tableUuid)?.get(id);
}
