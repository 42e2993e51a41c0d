/**
 * Event-id dedup for one (topic, partition), docs/CONTRACTS.md §2:
 *
 *   newest = the max ts of the deliveries seen on this partition before this one.
 *   ts <  newest − horizon  → accepted as `late` (counted as a late duplicate if its id
 *                             is still remembered — a lower bound: ids are kept only
 *                             `lateMemoryMs` past the horizon, for this count alone);
 *   otherwise               → `duplicate` iff the id was accepted with a ts ≥ newest − horizon,
 *                             else `accepted` and remembered.
 *
 * Remembered ids live in a ring in arrival order (ts in a Float64Array, the Map only maps
 * id → ring slot, a small integer) so a delivery allocates at most its Map entry. Eviction
 * pops from the ring's head while the head is older than horizon + lateMemoryMs; out-of-order
 * arrivals may linger a little longer, which is harmless because lookups compare the stored
 * ts. When `maxRememberedIds` is reached the oldest id is forgotten early; if it was still
 * inside the horizon that is counted in `forcedEvictions`: a duplicate of it would count again.
 *
 * Restarts: the state is the remembered (id, ts) pairs plus `newest` — `exportState()` /
 * `PartitionDedup.fromState()`. Replaying, in offset order, the deliveries whose ts lies in
 * the last horizon before a snapshot's offsets through `admit()` rebuilds the same verdicts
 * for any later delivery that carries its original ts.
 */

export type DedupVerdict = 'accepted' | 'duplicate' | 'late';

export interface DedupOptions {
  readonly horizonMs: number;
  /** How long past the horizon ids are kept, only to count late duplicates. */
  readonly lateMemoryMs: number;
  /** Hard cap per partition: memory stays bounded whatever the event rate. */
  readonly maxRememberedIds: number;
}

export const DEFAULT_DEDUP_OPTIONS: DedupOptions = {
  horizonMs: 10 * 60_000,
  lateMemoryMs: 5 * 60_000,
  maxRememberedIds: 2_000_000,
};

export interface DedupCounters {
  /** Admitted within the horizon (first delivery of an id). */
  accepted: number;
  duplicates: number;
  /** Admitted because older than the horizon, whether or not seen before. */
  late: number;
  /** Of `late`, those whose id was still remembered: a lower bound of the late duplicates. */
  lateDuplicates: number;
  /** Ids forgotten while inside the horizon because `maxRememberedIds` was reached. */
  forcedEvictions: number;
}

export function zeroCounters(): DedupCounters {
  return { accepted: 0, duplicates: 0, late: 0, lateDuplicates: 0, forcedEvictions: 0 };
}

export interface DedupState {
  readonly newest: number;
  /** Remembered ids in arrival order. */
  readonly entries: ReadonlyArray<readonly [eventId: string, ts: number]>;
}

const INITIAL_CAPACITY = 1024;

export class PartitionDedup {
  readonly counters = zeroCounters();
  private newest = -Infinity;
  private readonly slotOf = new Map<string, number>();
  private ids: string[];
  private tss: Float64Array;
  private head = 0;
  private size = 0;

  constructor(private readonly options: DedupOptions = DEFAULT_DEDUP_OPTIONS) {
    if (!(options.horizonMs >= 0) || !(options.lateMemoryMs >= 0) || !Number.isInteger(options.maxRememberedIds) || options.maxRememberedIds < 1) {
      throw new RangeError(`bad dedup options ${JSON.stringify(options)}`);
    }
    const capacity = Math.min(INITIAL_CAPACITY, options.maxRememberedIds);
    this.ids = new Array<string>(capacity).fill('');
    this.tss = new Float64Array(capacity);
  }

  static fromState(state: DedupState, options: DedupOptions = DEFAULT_DEDUP_OPTIONS): PartitionDedup {
    const dedup = new PartitionDedup(options);
    for (const [eventId, ts] of state.entries) dedup.remember(eventId, ts);
    dedup.newest = state.newest;
    dedup.evictForgettable();
    return dedup;
  }

  get rememberedIds(): number {
    return this.slotOf.size;
  }

  admit(eventId: string, ts: number): DedupVerdict {
    const horizonStart = this.newest - this.options.horizonMs;
    if (ts > this.newest) this.newest = ts;
    const slot = this.slotOf.get(eventId);
    if (ts < horizonStart) {
      this.counters.late++;
      if (slot !== undefined) this.counters.lateDuplicates++;
      return 'late';
    }
    if (slot !== undefined && this.tss[slot]! >= horizonStart) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.counters.accepted++;
    this.remember(eventId, ts);
    this.evictForgettable();
    return 'accepted';
  }

  exportState(): DedupState {
    const entries: Array<[string, number]> = [];
    const capacity = this.tss.length;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % capacity;
      const eventId = this.ids[slot]!;
      if (this.slotOf.get(eventId) === slot) entries.push([eventId, this.tss[slot]!]);
    }
    return { newest: this.newest, entries };
  }

  private remember(eventId: string, ts: number): void {
    if (this.size === this.tss.length) {
      if (this.size < this.options.maxRememberedIds) this.grow();
      else {
        if (this.tss[this.head]! >= this.newest - this.options.horizonMs) this.counters.forcedEvictions++;
        this.evictHead();
      }
    }
    const slot = (this.head + this.size) % this.tss.length;
    this.ids[slot] = eventId;
    this.tss[slot] = ts;
    this.size++;
    this.slotOf.set(eventId, slot);
  }

  private evictForgettable(): void {
    const keepFrom = this.newest - this.options.horizonMs - this.options.lateMemoryMs;
    while (this.size > 0 && this.tss[this.head]! < keepFrom) this.evictHead();
  }

  private evictHead(): void {
    const eventId = this.ids[this.head]!;
    // A re-admitted id has a newer slot; only its newest slot owns the Map entry.
    if (this.slotOf.get(eventId) === this.head) this.slotOf.delete(eventId);
    this.ids[this.head] = '';
    this.head = (this.head + 1) % this.tss.length;
    this.size--;
  }

  private grow(): void {
    const capacity = Math.min(this.tss.length * 2, this.options.maxRememberedIds);
    const ids = new Array<string>(capacity).fill('');
    const tss = new Float64Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.tss.length;
      ids[i] = this.ids[from]!;
      tss[i] = this.tss[from]!;
      this.slotOf.set(ids[i]!, i);
    }
    this.ids = ids;
    this.tss = tss;
    this.head = 0;
  }
}
