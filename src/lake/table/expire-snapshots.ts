/**
 * Snapshot expiry's commit: removes snapshots from the table metadata (REST
 * `remove-snapshots`). It asserts the current snapshot it chose against, so a concurrent
 * commit makes it re-choose on the new state instead of racing it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommitConflictError } from '../catalog/catalog.js';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot.js';
import { currentSnapshot, type TableMetadata } from '../spec/table-metadata.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './snapshot-transaction.js';
import type { Table } from './table.js';

/** Picks the snapshots to remove from the current metadata; never one a ref points at. */
export type SnapshotChooser = (metadata: TableMetadata) => readonly Snapshot[];

export interface ExpiredSnapshots {
  readonly removed: readonly Snapshot[];
  /** The table metadata right after the removal (what was kept). */
  readonly metadata: TableMetadata;
}

export async function expireSnapshots(table: Table, choose: SnapshotChooser, retry: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<ExpiredSnapshots> {
  for (let attempt = 1; ; attempt++) {
    const base = await table.refresh();
    const removed = choose(base);
    if (removed.length === 0) return { removed, metadata: base };
    try {
      table.metadata = await table.catalog.commitTable(table.id, {
        requirements: [
          { type: 'assert-table-uuid', uuid: base['table-uuid'] },
          { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, 'snapshot-id': currentSnapshot(base)?.['snapshot-id'] ?? null },
        ],
        updates: [{ action: 'remove-snapshots', 'snapshot-ids': removed.map((s) => s['snapshot-id']) }],
      });
      return { removed, metadata: table.metadata };
    } catch (error) {
      if (!(error instanceof CommitConflictError) || attempt >= retry.maxAttempts) throw error;
      await sleep(Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt));
    }
  }
}
