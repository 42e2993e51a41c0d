/**
 * Which snapshots expiry removes: those older than the retention age, except the newest
 * `keepLast` and any a ref points at. The current snapshot is always kept, and with it
 * every ancestor back to the nearest one with `lakegraph.*` properties: the current
 * snapshot carries every partition's Kafka offsets (they are rolled forward on each
 * lakegraph commit), unless another engine committed it, and then that ancestor does. So
 * the exactly-once resume point survives any expiry.
 */
import { findCarrier } from '../lake/spec/carried-properties.js';
import type { Snapshot } from '../lake/spec/snapshot.js';
import type { TableMetadata } from '../lake/spec/table-metadata.js';

export interface SnapshotRetention {
  readonly olderThanMs: number;
  /** At least 1: the current snapshot. */
  readonly keepLast: number;
}

export function snapshotsToExpire(metadata: TableMetadata, retention: SnapshotRetention, nowMs: number): Snapshot[] {
  const { carrier, foreign } = findCarrier(metadata);
  const resumePoint = carrier === undefined ? [] : [carrier, ...foreign];
  const kept = new Set([...Object.values(metadata.refs), ...resumePoint].map((s) => s['snapshot-id']));
  const newestFirst = [...metadata.snapshots].sort((a, b) => b['sequence-number'] - a['sequence-number']);
  const cutoff = nowMs - retention.olderThanMs;
  return newestFirst
    .slice(Math.max(1, retention.keepLast))
    .filter((s) => s['timestamp-ms'] < cutoff && !kept.has(s['snapshot-id']));
}
