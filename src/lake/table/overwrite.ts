import type { SnapshotOperation } from '../spec/snapshot.js';
import { ReplaceTransaction } from './replace.js';

/**
 * Swaps data files for others holding fewer rows (retention/TTL drops old rows). Same
 * mechanics and conflict validation as a replace; only the operation readers see differs,
 * since a replace promises the table's rows did not change.
 */
export class OverwriteTransaction extends ReplaceTransaction {
  protected override readonly operation: SnapshotOperation = 'overwrite';
}
