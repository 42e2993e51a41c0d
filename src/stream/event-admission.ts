/**
 * Decode → validate → drop forgotten accounts → dedup: the first half of every consumer of
 * a topic's records (the ingest job, the query hot tail). The outcome of the last record
 * is held in fields rather than returned as an object, so admitting a record allocates
 * nothing of its own.
 */
import type { AppEvent } from '../events/contracts.js';
import { decodeEvent } from '../events/decode.js';
import { Deduplicator } from './dedup/deduplicator.js';
import { zeroCounters, type DedupCounters, type DedupOptions } from './dedup/partition-dedup.js';
import type { SourceRecord } from './source-record.js';

/** `forgotten`: the record belongs to an account `lakegraph forget` removed; it is dropped, neither graph rows nor a reject. */
export type Admission = 'rejected' | 'forgotten' | 'duplicate' | 'admitted';

const keyDecoder = new TextDecoder();

export class EventAdmission {
  /** The last admitted or duplicate record's event. */
  event: AppEvent | undefined;
  /** The last rejected record's reason. */
  reason = '';
  /**
   * Accounts whose records are dropped (lake/forgotten-accounts.ts): an event by its
   * `account_id`, a record that fails validation by its Kafka key (producers key by
   * account, docs/CONTRACTS.md §1), so a forgotten member's bad records are not kept either.
   */
  forgotten: ReadonlySet<string> = new Set();
  private dedup: Deduplicator;
  /** Counters of dedup state dropped by `restart()`, so totals never go backwards. */
  private retired = zeroCounters();

  /** `contract`: the docs/CONTRACTS.md §1 topic whose rules apply to the records. */
  constructor(
    readonly contract: string,
    private readonly dedupOptions?: DedupOptions,
  ) {
    this.dedup = new Deduplicator(dedupOptions);
  }

  admit(record: SourceRecord): Admission {
    const decoded = decodeEvent(this.contract, record.value);
    if (!decoded.ok) {
      this.event = undefined;
      this.reason = decoded.reason;
      if (this.forgotten.size > 0 && record.key !== null && this.forgotten.has(keyDecoder.decode(record.key))) return 'forgotten';
      return 'rejected';
    }
    const { event } = decoded;
    this.event = event;
    if (this.forgotten.size > 0 && this.forgotten.has(event.account_id)) return 'forgotten';
    return this.dedup.partition(this.contract, record.partition).admit(event.event_id, event.ts) === 'duplicate' ? 'duplicate' : 'admitted';
  }

  /** Forgets the dedup state: reading restarts at replay offsets, which rebuild it. */
  restart(): void {
    this.retired = this.totals();
    this.dedup = new Deduplicator(this.dedupOptions);
  }

  /** Forgets one partition's dedup state: whoever reads it next restarts at its replay offset. */
  forget(partition: number): void {
    const dropped = this.dedup.forget(this.contract, partition);
    if (dropped !== undefined) addCounters(this.retired, dropped);
  }

  totals(): DedupCounters {
    return addCounters(this.dedup.totals(), this.retired);
  }
}

function addCounters(sum: DedupCounters, more: DedupCounters): DedupCounters {
  for (const name of Object.keys(sum) as Array<keyof DedupCounters>) sum[name] += more[name];
  return sum;
}
