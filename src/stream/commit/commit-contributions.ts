/**
 * Lands contributions of one topic on one table as a single append snapshot. Each is
 * checked, in the order given, against the table's positions as the contributions before
 * it leave them: one whose fence no longer holds (or that was filtered by an older
 * tombstone list) is refused and its files left out; the rest land together. A commit by
 * another writer in between is rebased onto; if it moved this topic's offsets, the
 * contributions are sorted out again on the new state.
 */
import { forgottenVersionOf } from '../../lake/forgotten-accounts.js';
import { carriedProperties, type CarriedProperties } from '../../lake/spec/carried-properties.js';
import type { Table } from '../../lake/table/table.js';
import { positionProperties, positionsOf, type SourcePositions } from '../job/source-positions.js';
import type { Contribution, ContributionOutcome } from './contribution.js';

interface Sorted {
  readonly landing: Contribution[];
  readonly refused: Array<[Contribution, ContributionOutcome]>;
  /** The topic's positions once every landing contribution is applied (landing ones only). */
  readonly positions: SourcePositions;
}

/** Thrown inside a rebased attempt whose parent refuses a contribution that was landing; the caller sorts them out again. */
class ParentMovedError extends Error {}

function sortOut(contributions: readonly Contribution[], carried: CarriedProperties, tableName: string): Sorted {
  const landing: Contribution[] = [];
  const refused: Array<[Contribution, ContributionOutcome]> = [];
  const offsets = new Map<number, number>();
  const replay = new Map<number, number>();
  const parent = positionsOf(carried, contributions[0]!.topic);
  const version = forgottenVersionOf(carried);
  const offsetOf = (partition: number) => offsets.get(partition) ?? parent.offsets.get(partition);
  for (const c of contributions) {
    if (c.forgottenVersion !== version) {
      refused.push([c, { kind: 'forgotten', reason: `${tableName}: lakegraph forget purged the table since ${c.topic}'s job read the forgotten accounts; re-reading them` }]);
      continue;
    }
    const moved = [...c.positions.offsets.keys()].find((partition) => offsetOf(partition) !== c.fence.get(partition));
    if (moved !== undefined) {
      const reason = `${tableName}: ${c.topic}/${moved} is at offset ${offsetOf(moved) ?? 'none'} in the table, this job expected ${c.fence.get(moved) ?? 'none'}; another writer owns the partition now`;
      refused.push([c, { kind: 'fenced', reason }]);
      continue;
    }
    landing.push(c);
    for (const [partition, next] of c.positions.offsets) offsets.set(partition, next);
    for (const [partition, from] of c.positions.replay) replay.set(partition, from);
  }
  return { landing, refused, positions: { offsets, replay } };
}

/** One outcome per contribution id; all contributions must be of one topic. Throws only when the commit itself fails. */
export async function commitContributions(table: Table, contributions: readonly Contribution[]): Promise<Map<string, ContributionOutcome>> {
  const outcomes = new Map<string, ContributionOutcome>();
  const tableName = table.id.name;
  let open = contributions;
  // The table as this process last saw it; refusals are only final on a fresh load.
  let metadata = table.metadata;
  let fresh = false;
  while (open.length > 0) {
    const { landing, refused } = sortOut(open, carriedProperties(metadata), tableName);
    if (refused.length > 0 && !fresh) {
      metadata = await table.refresh();
      fresh = true;
      continue;
    }
    for (const [c, outcome] of refused) outcomes.set(c.id, outcome);
    if (landing.length === 0) break;
    try {
      const snapshot = await table
        .newAppend()
        .addFiles(landing.flatMap((c) => c.files))
        .setProperties((carried) => {
          const again = sortOut(landing, carried, tableName);
          if (again.refused.length > 0) throw new ParentMovedError();
          return positionProperties(positionsOf(carried, landing[0]!.topic), landing[0]!.topic, again.positions, landing[0]!.source);
        })
        .commit();
      for (const c of landing) outcomes.set(c.id, { kind: 'committed', snapshotId: snapshot['snapshot-id'] });
      break;
    } catch (error) {
      if (!(error instanceof ParentMovedError)) throw error;
      open = landing;
      metadata = await table.refresh();
      fresh = true;
    }
  }
  return outcomes;
}
