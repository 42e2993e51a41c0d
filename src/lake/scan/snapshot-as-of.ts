/**
 * Time travel: which snapshot a table's `main` branch pointed at a given moment. The
 * snapshot log records every change of `main`. Before the oldest snapshot held, the table
 * was empty if that snapshot is its first (no parent); otherwise the history that would
 * answer has expired.
 */
import type { Snapshot } from '../spec/snapshot.js';
import { currentSnapshot, type TableMetadata } from '../spec/table-metadata.js';

export type SnapshotAsOf =
  | { readonly held: true; readonly snapshot: Snapshot | undefined }
  /** The snapshots that would answer have expired; `oldest` is the oldest one left. */
  | { readonly held: false; readonly oldest: Snapshot };

export function snapshotAsOf(metadata: TableMetadata, timeMs: number): SnapshotAsOf {
  const byId = new Map(metadata.snapshots.map((s) => [s['snapshot-id'], s]));
  const log = metadata['snapshot-log'].filter((entry) => byId.has(entry['snapshot-id']));
  // Tables written without a log (or whose log was trimmed) fall back to commit times.
  const history = log.length > 0 ? log.map((entry) => ({ at: entry['timestamp-ms'], snapshot: byId.get(entry['snapshot-id'])! })) : metadata.snapshots.map((s) => ({ at: s['timestamp-ms'], snapshot: s }));
  if (history.length === 0) return { held: true, snapshot: currentSnapshot(metadata) };
  let chosen: Snapshot | undefined;
  let chosenAt = -Infinity;
  for (const { at, snapshot } of history) {
    if (at <= timeMs && at >= chosenAt) {
      chosen = snapshot;
      chosenAt = at;
    }
  }
  if (chosen !== undefined) return { held: true, snapshot: chosen };
  const oldest = history.reduce((a, b) => (b.at < a.at ? b : a)).snapshot;
  const first = oldest['parent-snapshot-id'] === undefined || oldest['parent-snapshot-id'] === null;
  return first ? { held: true, snapshot: undefined } : { held: false, oldest };
}
