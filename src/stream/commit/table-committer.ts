/**
 * How a topic job's windows reach the tables. A lone writer (the demo, backfill, an ingest
 * in `--committer member` mode) commits each contribution itself, one snapshot per window
 * and table; the members of a group with one committer hand theirs over through the
 * control topic (kafka/control-channel.ts) instead.
 */
import type { GraphTables } from '../job/graph-tables.js';
import { commitContributions } from './commit-contributions.js';
import { assertCommitted, type Contribution } from './contribution.js';

export interface TableCommitter {
  /** Resolves once the contribution landed; throws OffsetFenceError, ForgottenAccountsChangedError, or an error after which it may or may not have. */
  commit(contribution: Contribution): Promise<void>;
}

/** Commits every contribution on its own, at once. */
export function selfCommitter(tables: GraphTables): TableCommitter {
  return {
    async commit(contribution) {
      const outcomes = await commitContributions(tables[contribution.table], [contribution]);
      assertCommitted(outcomes.get(contribution.id)!);
    },
  };
}
