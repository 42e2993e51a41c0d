/**
 * The `lakegraph.*` summary properties in effect at a snapshot. lakegraph copies them
 * forward on every commit; other engines do not, so a snapshot another engine committed
 * (an append, delete, overwrite or rewrite by Spark, Trino, PyIceberg…) has none. What is
 * in effect there is what its nearest ancestor with any holds, found by walking
 * `parent-snapshot-id`: the foreign commits in between changed rows, not which Kafka
 * records the table holds. When another engine expired that ancestor (Spark's
 * `expire_snapshots` keeping only its own `replace`, say), the walk goes on through the
 * snapshots the catalogs recalled from the table's older metadata files
 * (recalled-snapshots.ts).
 */
import { recalledSnapshot } from './recalled-snapshots.js';
import { CARRIED_PROPERTY_PREFIX, type Snapshot, type SnapshotId } from './snapshot.js';
import { currentSnapshot, type TableMetadata } from './table-metadata.js';

export type CarriedProperties = Readonly<Record<string, string>>;

/**
 * The walk from a snapshot towards its nearest ancestor with `lakegraph.*` properties
 * reached a parent that is no longer in the table, expired by another engine (lakegraph's
 * own expiry keeps that ancestry), and that no older metadata file the table still lists
 * holds either. Nothing left says which records the table holds.
 */
export class ExpiredAncestryError extends Error {
  override readonly name = 'ExpiredAncestryError';

  constructor(
    readonly location: string,
    readonly foreign: readonly SnapshotId[],
    readonly missing: SnapshotId,
  ) {
    const [these, were] = foreign.length === 1 ? ['snapshot', 'was'] : ['snapshots', 'were'];
    super(
      `the table at ${location} has lost lakegraph's Kafka offsets: its ${these} ${foreign.join(' ← ')} ${were} committed by ` +
        `another engine, and the ancestor ${missing}, needed to find the offsets, has been expired and is in none of the ` +
        "older metadata files the table's metadata-log lists. Restore " +
        "lakegraph.offsets.<topic> and lakegraph.replay.<topic> in a snapshot's summary, or ingest into new tables " +
        '(docs/INGEST.md, "Other engines writing to the tables")',
    );
  }
}

export function hasCarriedProperties(snapshot: Snapshot): boolean {
  return Object.keys(snapshot.summary).some((key) => key.startsWith(CARRIED_PROPERTY_PREFIX));
}

export interface Carrier {
  /** `from` or its nearest ancestor with `lakegraph.*` properties; undefined when none has any (or the table is empty). */
  readonly carrier: Snapshot | undefined;
  /** The snapshots walked before it, newest first: other engines' commits (all of the ancestry when no carrier). */
  readonly foreign: readonly Snapshot[];
}

/** @throws ExpiredAncestryError */
export function findCarrier(metadata: TableMetadata, from: Snapshot | undefined = currentSnapshot(metadata)): Carrier {
  const byId = new Map(metadata.snapshots.map((s) => [s['snapshot-id'], s]));
  const foreign: Snapshot[] = [];
  for (let snapshot = from; snapshot !== undefined; ) {
    if (hasCarriedProperties(snapshot)) return { carrier: snapshot, foreign };
    foreign.push(snapshot);
    const parentId = snapshot['parent-snapshot-id'];
    if (parentId === undefined) break;
    snapshot = byId.get(parentId) ?? recalledSnapshot(metadata['table-uuid'], parentId);
    if (snapshot === undefined) throw new ExpiredAncestryError(metadata.location, foreign.map((s) => s['snapshot-id']), parentId);
  }
  return { carrier: undefined, foreign };
}

/**
 * The `lakegraph.*` properties in effect at `from` (default: the current snapshot).
 * @throws ExpiredAncestryError
 */
export function carriedProperties(metadata: TableMetadata, from: Snapshot | undefined = currentSnapshot(metadata)): CarriedProperties {
  const { carrier } = findCarrier(metadata, from);
  return Object.fromEntries(Object.entries(carrier?.summary ?? {}).filter(([key]) => key.startsWith(CARRIED_PROPERTY_PREFIX)));
}
