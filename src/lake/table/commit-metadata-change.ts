/**
 * A commit that changes a table's metadata without adding a snapshot (a schema or a
 * partition spec evolution). A catalog that lost the answer (a REST 5xx, a dropped
 * connection: CommitStateUnknownError) cannot tell from snapshots whether such a commit
 * landed; the change itself can, seen in the reloaded table.
 */
import type { TableCommit } from '../catalog/catalog.js';
import { CommitStateUnknownError } from '../catalog/rest-errors.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { Table } from './table.js';

/**
 * Commits `commit` to `table` and returns the metadata after it. On a lost answer, the
 * reloaded metadata when `landed` finds the change there; otherwise the error stands.
 * Conflicts (CommitConflictError) are the caller's to re-plan.
 */
export async function commitMetadataChange(table: Table, commit: TableCommit, landed: (current: TableMetadata) => boolean): Promise<TableMetadata> {
  try {
    return await table.catalog.commitTable(table.id, commit);
  } catch (error) {
    if (!(error instanceof CommitStateUnknownError)) throw error;
    const current = await table.refresh();
    if (landed(current)) return current;
    throw error;
  }
}
