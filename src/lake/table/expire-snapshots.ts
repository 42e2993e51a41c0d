/**
 * Snapshot expiry's commit: removes snapshots from the table metadata (REST
 * `remove-snapshots`). It asserts the current snapshot it chose against, so a concurrent
 * commit makes it re-choose on the new state instead of racing it.
 */
import { withRetries, type RetryOptions } from '../../common/backoff.js';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot.js';
import { currentSnapshot, type TableMetadata } from '../spec/table-metadata.js';
import { COMMIT_CONFLICT_RETRIES } from './snapshot-transaction.js';
import type { Table } from './table.js';

/** Picks the snapshots to remove from the current metadata; never one a ref points at. */
export type SnapshotChooser = (metadata: TableMetadata) => readonly Snapshot[];

export interface ExpiredSnapshots {
  readonly removed: readonly Snapshot[];
  /** The table metadata right after the removal (what was kept). */
  readonly metadata: TableMetadata;
}

export async function expireSnapshots(table: Table, choose: SnapshotChooser, retry: RetryOptions = COMMIT_CONFLICT_RETRIES): Promise<ExpiredSnapshots> {
  return withRetries(async () => {
    const base = await table.refresh();
    const removed = choose(base);
    if (removed.length === 0) return { removed, metadata: base };
    table.metadata = await table.catalog.commitTable(table.id, {
      requirements: [
        { type: 'assert-table-uuid', uuid: base['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, 'snapshot-id': currentSnapshot(base)?.['snapshot-id'] ?? null },
      ],
      updates: [{ action: 'remove-snapshots', 'snapshot-ids': removed.map((s) => s['snapshot-id']) }],
    });
    return { removed, metadata: table.metadata };
  }, retry);
}
