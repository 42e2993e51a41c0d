/**
 * Writes a generated event as contract JSON straight into UTF-8 bytes: pre-encoded field
 * names and ids are copied, integers are written digit by digit. Measured about twice as fast
 * as string templating + encoding, which made the generator miss 500k events/s. The draft is
 * one mutable object refilled per event, so writing allocates only the record's byte view.
 */
import type { Topic } from '../../events/topics.js';

export interface EventDraft {
  topic: Topic;
  eventSeq: number;
  eventType: Uint8Array;
  ts: number;
  /** null: ts as epoch ms; otherwise as ISO-8601 at this UTC offset. */
  isoOffsetMinutes: number | null;
  accountId: Uint8Array;
  profileId: Uint8Array | null;
  deviceId: Uint8Array;
  deviceJson: Uint8Array | null;
  /** title_id / ad_id / game_id / live_event_id by topic (SUBJECT_FIELD); null on app.session. */
  subjectId: Uint8Array | null;
  campaignId: Uint8Array | null;
  positionMs: number | null;
}

/** The field naming what a topic's event is about. */
export const SUBJECT_FIELD: { readonly [T in Topic]: string | null } = {
  'app.session': null,
  'app.playback': 'title_id',
  'app.ads': 'ad_id',
  'app.games': 'game_id',
  'app.live': 'live_event_id',
};

const utf8 = new TextEncoder();
const bytes = (text: string) => utf8.encode(text);

const SUBJECT_OPEN = Object.fromEntries(
  Object.entries(SUBJECT_FIELD).map(([topic, field]) => [topic, field === null ? null : bytes(`,"${field}":"`)]),
) as { readonly [T in Topic]: Uint8Array | null };
const EVENT_TYPE_OPEN = bytes('","event_type":"');
const TS_OPEN = bytes('","ts":');
const ACCOUNT_OPEN = bytes(',"account_id":"');
const PROFILE_OPEN = bytes('","profile_id":"');
const DEVICE_ID_OPEN = bytes('","device_id":"');
const DEVICE_OPEN = bytes('","device":');
const CAMPAIGN_OPEN = bytes(',"campaign_id":"');
const POSITION_OPEN = bytes(',"position_ms":');
const QUOTE = 0x22;
const CLOSE = 0x7d;
const ZERO = 0x30;
const MINUS = 0x2d;
/** No generated event comes near this; the check keeps a writer bug from overrunning a chunk. */
const MAX_EVENT = 4096;
const CHUNK_BYTES = 64 * 1024;

export function isoWithOffset(ts: number, offsetMinutes: number): string {
  const local = new Date(ts + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hhmm}`;
}

/** Appends events into shared 64 KiB chunks; each event is a view of its own bytes. */
export class EventBytesWriter {
  private chunk = new Uint8Array(CHUNK_BYTES);
  private at = 0;
  private readonly digitScratch = new Uint8Array(24);
  private readonly eventIdOpen: Uint8Array;

  /** Event ids are `eventIdPrefix` + the draft's `eventSeq`. */
  constructor(eventIdPrefix: string) {
    this.eventIdOpen = bytes(`"event_id":"${eventIdPrefix}`);
  }

  write(d: EventDraft): Uint8Array {
    if (this.at + MAX_EVENT > this.chunk.length) {
      this.chunk = new Uint8Array(CHUNK_BYTES);
      this.at = 0;
    }
    const start = this.at;
    this.byte(0x7b);
    this.copy(this.eventIdOpen);
    this.int(d.eventSeq);
    this.copy(EVENT_TYPE_OPEN);
    this.copy(d.eventType);
    this.copy(TS_OPEN);
    if (d.isoOffsetMinutes === null) this.int(d.ts);
    else {
      this.byte(QUOTE);
      this.at += utf8.encodeInto(isoWithOffset(d.ts, d.isoOffsetMinutes), this.chunk.subarray(this.at)).written;
      this.byte(QUOTE);
    }
    this.copy(ACCOUNT_OPEN);
    this.copy(d.accountId);
    if (d.profileId !== null) {
      this.copy(PROFILE_OPEN);
      this.copy(d.profileId);
    }
    this.copy(DEVICE_ID_OPEN);
    this.copy(d.deviceId);
    if (d.deviceJson !== null) {
      this.copy(DEVICE_OPEN);
      this.copy(d.deviceJson);
    } else this.byte(QUOTE);
    const subjectOpen = SUBJECT_OPEN[d.topic];
    if (d.subjectId !== null && subjectOpen !== null) {
      this.copy(subjectOpen);
      this.copy(d.subjectId);
      this.byte(QUOTE);
    }
    if (d.campaignId !== null) {
      this.copy(CAMPAIGN_OPEN);
      this.copy(d.campaignId);
      this.byte(QUOTE);
    }
    if (d.positionMs !== null) {
      this.copy(POSITION_OPEN);
      this.int(d.positionMs);
    }
    this.byte(CLOSE);
    if (this.at - start > MAX_EVENT) throw new Error(`generated event of ${this.at - start} bytes overran its chunk`);
    return new Uint8Array(this.chunk.buffer, start, this.at - start);
  }

  private byte(b: number): void {
    this.chunk[this.at++] = b;
  }

  private copy(src: Uint8Array): void {
    const { chunk } = this;
    const at = this.at;
    // Most pieces are a few bytes, where a loop beats set()'s call overhead.
    if (src.length > 24) chunk.set(src, at);
    else for (let i = 0; i < src.length; i++) chunk[at + i] = src[i]!;
    this.at = at + src.length;
  }

  private int(value: number): void {
    let n = value;
    if (n < 0) {
      this.byte(MINUS);
      n = -n;
    }
    // Digit arithmetic on doubles beyond 2^31 is slow (fmod), so epoch ms go in two 9-digit halves.
    if (n >= 1e9) {
      const high = Math.floor(n / 1e9);
      this.digits(high, 0);
      this.digits(n - high * 1e9, 9);
    } else this.digits(n, 0);
  }

  /** Decimal digits of a small non-negative integer, left-padded with zeros to `width`. */
  private digits(value: number, width: number): void {
    let n = value | 0;
    let count = 0;
    do {
      this.digitScratch[count++] = ZERO + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0 || count < width);
    while (count > 0) this.chunk[this.at++] = this.digitScratch[--count]!;
  }
}
