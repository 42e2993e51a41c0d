/**
 * Deterministic stream of contract events as SourceRecords (the shape the Kafka source
 * produces too), keyed by account_id and partitioned like Kafka's default partitioner.
 * Same options and seed ⇒ the same records, byte for byte.
 *
 * Event time advances from `baseTs` to `baseTs + spanMs`; events arrive up to `jitterMs`
 * after they happen, so timestamps are out of order. Mixed in: re-deliveries of recent
 * events (within the dedup horizon), a share re-delivered beyond it, and bad records of
 * every kind (oversize capped at `maxOversize`, as each costs 1 MiB).
 */
import { EVENT_TYPES_BY_TOPIC, TOPICS, type Topic } from '../../events/topics.js';
import type { SourceRecord } from '../source-record.js';
import { BAD_RECORD_KINDS, corruptEvent, oversizeEventBytes, type BadRecordKind } from './bad-records.js';
import { EventBytesWriter, SUBJECT_FIELD, type EventDraft } from './event-bytes.js';
import { catalog, members, type Catalog, type Member } from './population.js';
import { Prng } from './prng.js';

export interface GeneratorOptions {
  /** Records to emit, duplicates and bad ones included. */
  readonly events: number;
  readonly seed?: number;
  readonly topics?: readonly Topic[];
  readonly partitions?: number;
  /** Default: one per 250 events, at least 20. */
  readonly accounts?: number;
  readonly dupRatio?: number;
  /** Share of the duplicates re-delivered beyond the dedup horizon. */
  readonly lateDupShare?: number;
  readonly badRatio?: number;
  readonly maxOversize?: number;
  readonly horizonMs?: number;
  readonly spanMs?: number;
  /** Event time of the first event. Default: now − spanMs, so the last events are near now. */
  readonly baseTs?: number;
  readonly jitterMs?: number;
}

export interface GeneratorStats {
  records: number;
  events: number;
  duplicates: number;
  /** Re-deliveries of events older than the horizon (intended; dedup judges by what it saw). */
  lateDuplicates: number;
  bad: Record<BadRecordKind, number>;
}

const TOPIC_WEIGHT: { readonly [T in Topic]: number } = {
  'app.playback': 55, 'app.ads': 15, 'app.games': 12, 'app.session': 10, 'app.live': 8,
};

/** Per topic, event types with weights: heartbeats dominate, as in real playback telemetry. */
const EVENT_TYPE_WEIGHTS: { readonly [T in Topic]: readonly number[] } = {
  'app.session': [40, 20, 40],
  'app.playback': [5, 85, 5, 5],
  'app.ads': [90, 10],
  'app.games': [10, 80, 10],
  'app.live': [10, 85, 5],
};

/** Event types that open something: they carry the device object. */
const STARTS = new Set(['login', 'app_open', 'play_start', 'game_start', 'live_join']);
const ISO_OFFSETS_MINUTES = [0, 60, -300, 330, 120];
const RECENT = 256;
const ARCHIVE = 4096;
const utf8 = new TextEncoder();
const EVENT_TYPE_BYTES = Object.fromEntries(
  TOPICS.flatMap((t) => EVENT_TYPES_BY_TOPIC[t]).map((type) => [type, utf8.encode(type)]),
) as Record<string, Uint8Array>;

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return Float64Array.from(weights, (w) => (sum += w) / total);
}

function pickWeighted(rng: Prng, cdf: Float64Array): number {
  const r = rng.next();
  let i = 0;
  while (i < cdf.length - 1 && r >= cdf[i]!) i++;
  return i;
}

interface Delivery {
  readonly record: SourceRecord;
  readonly ts: number;
}

export class RecordGenerator implements Iterable<SourceRecord> {
  readonly stats: GeneratorStats = {
    records: 0, events: 0, duplicates: 0, lateDuplicates: 0,
    bad: Object.fromEntries(BAD_RECORD_KINDS.map((k) => [k, 0])) as Record<BadRecordKind, number>,
  };
  private readonly rng: Prng;
  private readonly options: Required<Omit<GeneratorOptions, 'seed' | 'accounts'>>;
  private readonly topicCdf: Float64Array;
  private readonly typeCdf: { readonly [T in Topic]: Float64Array };
  private readonly members: readonly Member[];
  private readonly catalog: Catalog;
  private readonly nextOffset = new Map<string, number[]>();
  private readonly recent: Delivery[] = [];
  private readonly archive: Delivery[] = [];
  private readonly writer: EventBytesWriter;
  private oversize: Uint8Array | null = null;
  private readonly draft: EventDraft = {
    topic: 'app.session', eventSeq: 0, eventType: EVENT_TYPE_BYTES['login']!, ts: 0, isoOffsetMinutes: null,
    accountId: new Uint8Array(0), profileId: null, deviceId: new Uint8Array(0), deviceJson: null,
    subjectId: null, campaignId: null, positionMs: null,
  };

  constructor(options: GeneratorOptions) {
    const spanMs = options.spanMs ?? 60 * 60_000;
    this.options = {
      events: options.events,
      topics: options.topics ?? TOPICS,
      partitions: options.partitions ?? 4,
      dupRatio: options.dupRatio ?? 0.03,
      lateDupShare: options.lateDupShare ?? 0.1,
      badRatio: options.badRatio ?? 0.005,
      maxOversize: options.maxOversize ?? 3,
      horizonMs: options.horizonMs ?? 10 * 60_000,
      spanMs,
      baseTs: options.baseTs ?? Date.now() - spanMs,
      jitterMs: options.jitterMs ?? 5_000,
    };
    const seed = options.seed ?? 1;
    this.rng = new Prng(seed);
    this.writer = new EventBytesWriter(`e-${seed.toString(36)}-`);
    if (this.options.topics.length === 0) throw new RangeError('no topics to generate');
    this.topicCdf = cumulative(this.options.topics.map((t) => TOPIC_WEIGHT[t]));
    this.typeCdf = Object.fromEntries(TOPICS.map((t) => [t, cumulative(EVENT_TYPE_WEIGHTS[t])])) as RecordGenerator['typeCdf'];
    for (const topic of this.options.topics) this.nextOffset.set(topic, new Array<number>(this.options.partitions).fill(0));
    const accounts = options.accounts ?? Math.max(20, Math.round(options.events / 250));
    this.members = members(this.rng, accounts, this.options.partitions, this.options.baseTs, spanMs);
    this.catalog = catalog(this.rng);
  }

  *[Symbol.iterator](): Iterator<SourceRecord> {
    for (let record = this.next(); record !== null; record = this.next()) yield record;
  }

  /** The next record, or null once `events` records were emitted. */
  next(): SourceRecord | null {
    const { options, rng, stats } = this;
    if (stats.records >= options.events) return null;
    const arrival = options.baseTs + Math.floor((options.spanMs * stats.records) / options.events);
    stats.records++;
    const roll = rng.next();
    if (roll < options.dupRatio) {
      const redelivered = rng.chance(options.lateDupShare) ? this.redeliverLate(arrival) : this.redeliverRecent(arrival);
      if (redelivered !== null) return redelivered;
    } else if (roll < options.dupRatio + options.badRatio) {
      return this.bad(arrival);
    }
    return this.fresh(arrival);
  }

  private fresh(arrival: number): SourceRecord {
    const member = this.fillDraft(arrival);
    const record = this.emit(this.draft.topic, member, this.writer.write(this.draft), arrival);
    const { rng, draft, stats } = this;
    stats.events++;
    this.recent[stats.events % RECENT] = { record, ts: draft.ts };
    // Archived values are copied so they do not pin whole 64 KiB chunks for the run.
    const archived = (): Delivery => ({ record: { ...record, value: record.value!.slice() }, ts: draft.ts });
    if (this.archive.length < ARCHIVE) this.archive.push(archived());
    else if (rng.chance(0.02)) this.archive[rng.int(ARCHIVE)] = archived();
    return record;
  }

  private redeliverRecent(arrival: number): SourceRecord | null {
    const original = this.recent[this.rng.int(this.recent.length)];
    // Too old to be a within-horizon duplicate when events are sparse in time.
    if (original === undefined || original.ts < arrival - this.options.horizonMs / 2) return null;
    this.stats.duplicates++;
    return this.redeliver(original, arrival);
  }

  private redeliverLate(arrival: number): SourceRecord | null {
    const cutoff = arrival - this.options.horizonMs - 2 * this.options.jitterMs - 1_000;
    for (let attempt = 0; attempt < 4 && this.archive.length > 0; attempt++) {
      const original = this.archive[this.rng.int(this.archive.length)]!;
      if (original.ts < cutoff) {
        this.stats.duplicates++;
        this.stats.lateDuplicates++;
        return this.redeliver(original, arrival);
      }
    }
    return null;
  }

  private redeliver({ record }: Delivery, arrival: number): SourceRecord {
    const { topic, partition, key, value } = record;
    return { topic, partition, offset: this.takeOffset(topic, partition), key, value, timestamp: arrival };
  }

  private bad(arrival: number): SourceRecord {
    const { stats, rng, options } = this;
    const badSoFar = BAD_RECORD_KINDS.reduce((n, k) => n + stats.bad[k], 0);
    const kind: BadRecordKind =
      stats.bad.oversize < options.maxOversize && badSoFar % 50 === 7 ? 'oversize' : rng.pick(BAD_RECORD_KINDS.slice(0, -1));
    stats.bad[kind]++;
    const member = this.fillDraft(arrival);
    const { topic } = this.draft;
    if (kind === 'oversize') return this.emit(topic, member, (this.oversize ??= oversizeEventBytes()), arrival);
    const subjectField = SUBJECT_FIELD[topic];
    const required = ['event_id', 'ts', 'account_id', 'device_id'];
    if (subjectField !== null) required.push('profile_id', subjectField);
    const json = new TextDecoder().decode(this.writer.write(this.draft));
    return this.emit(topic, member, utf8.encode(corruptEvent(kind, json, required, rng)), arrival);
  }

  /** Fills the draft with a fresh valid event happening around `arrival`; returns its member. */
  private fillDraft(arrival: number): Member {
    const { rng, draft, catalog } = this;
    const topic = this.options.topics[pickWeighted(rng, this.topicCdf)]!;
    const eventType = EVENT_TYPES_BY_TOPIC[topic][pickWeighted(rng, this.typeCdf[topic])]!;
    // Skewed towards low account numbers: some members are much more active than others.
    const r = rng.next();
    const member = this.members[Math.floor(r * r * this.members.length)]!;
    const device = rng.pick(member.devices);
    const ts = arrival - (rng.chance(0.3) ? rng.int(this.options.jitterMs + 1) : 0);
    draft.topic = topic;
    draft.eventType = EVENT_TYPE_BYTES[eventType]!;
    draft.eventSeq = this.stats.records;
    draft.ts = ts;
    draft.isoOffsetMinutes = rng.chance(0.02) ? rng.pick(ISO_OFFSETS_MINUTES) : null;
    draft.accountId = member.accountId;
    draft.profileId = topic !== 'app.session' || rng.chance(0.7) ? rng.pick(member.profileIds) : null;
    draft.deviceId = device.id;
    // A device's props are a function of ts, so equal-ts observations never disagree.
    draft.deviceJson = STARTS.has(eventType) || rng.chance(0.05) ? (ts >= device.upgradeAt ? device.jsonAfter : device.jsonBefore) : null;
    draft.subjectId = null;
    draft.campaignId = null;
    draft.positionMs = null;
    switch (topic) {
      case 'app.session':
        break;
      case 'app.playback':
        draft.subjectId = rng.pick(catalog.titles);
        if (rng.chance(0.8)) draft.positionMs = rng.int(7_200_000);
        break;
      case 'app.ads': {
        const ad = rng.pick(catalog.ads);
        draft.subjectId = ad.id;
        if (rng.chance(0.7)) draft.campaignId = ad.campaignId;
        break;
      }
      case 'app.games':
        draft.subjectId = rng.pick(catalog.games);
        break;
      case 'app.live':
        draft.subjectId = rng.pick(catalog.liveEvents);
        break;
    }
    return member;
  }

  private emit(topic: Topic, member: Member, value: Uint8Array, arrival: number): SourceRecord {
    const { partition, accountId: key } = member;
    return { topic, partition, offset: this.takeOffset(topic, partition), key, value, timestamp: arrival };
  }

  private takeOffset(topic: string, partition: number): number {
    const offsets = this.nextOffset.get(topic)!;
    return offsets[partition]!++;
  }
}
