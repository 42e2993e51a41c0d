/**
 * What a member of a topic job hands over for one table: the data files it wrote and the
 * source positions they take the table to, fenced by the positions the member read from.
 * A committer lands it (alone, or with other members' contributions in one snapshot) only
 * if the table still holds those fenced positions; offsets only grow, so a contribution
 * lands at most once, whoever commits it and however often it is offered.
 */
import type { DataFile } from '../../lake/spec/data-file.js';
import type { SnapshotId } from '../../lake/spec/snapshot.js';
import type { TableName } from '../../lake/tables.js';
import type { PartitionOffsets, SourcePositions } from '../job/source-positions.js';

export interface Contribution {
  /** Unique per contribution; the member waits for the outcome under it. */
  readonly id: string;
  readonly topic: string;
  readonly table: TableName;
  readonly files: readonly DataFile[];
  /** Per partition written: its next offset and replay point once this lands. */
  readonly positions: SourcePositions;
  /** Per partition written, the offset the table must hold now; a partition absent here must have none. */
  readonly fence: PartitionOffsets;
  /** The tombstone-list version the member filtered its records by (lake/forgotten-accounts.ts). */
  readonly forgottenVersion: string;
  /** The log the offsets count in (source-positions.ts), when the member knows it. */
  readonly source?: string;
}

export type ContributionOutcome =
  | { readonly kind: 'committed'; readonly snapshotId: SnapshotId }
  /** Another writer has committed one of its partitions since the member read it. */
  | { readonly kind: 'fenced'; readonly reason: string }
  /** `lakegraph forget` purged the table since the member read the tombstone list. */
  | { readonly kind: 'forgotten'; readonly reason: string }
  /** The committer could not commit (catalog or storage failure); the member re-reads from the lake. */
  | { readonly kind: 'failed'; readonly reason: string };

export class OffsetFenceError extends Error {
  override readonly name = 'OffsetFenceError';
}

/**
 * `lakegraph forget` purged the table since this job last read the tombstone list: the
 * window may hold rows of the account, so it is not committed; the caller re-opens the
 * job, which reads the list again and re-reads the records from the committed offsets.
 */
export class ForgottenAccountsChangedError extends Error {
  override readonly name = 'ForgottenAccountsChangedError';
}

/** Returns if the contribution landed; otherwise throws the error its member recovers from. */
export function assertCommitted(outcome: ContributionOutcome): void {
  switch (outcome.kind) {
    case 'committed':
      return;
    case 'fenced':
      throw new OffsetFenceError(outcome.reason);
    case 'forgotten':
      throw new ForgottenAccountsChangedError(outcome.reason);
    case 'failed':
      throw new Error(outcome.reason);
  }
}
