/**
 * Rejected records of a flush window, bound for `graph.rejected_events` (and `<topic>.dlq`).
 * Rejects are rare, so plain arrays of references suffice; the bytes are not copied.
 */
import type { SourceRecord } from '../source-record.js';

export interface RejectedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  /** The raw value; a null (tombstone) value is stored as empty bytes since payload is required. */
  readonly payload: Uint8Array;
  readonly reason: string;
  /** Epoch ms. */
  readonly rejectedAt: number;
}

const NO_BYTES = new Uint8Array(0);

export class RejectedBuffer {
  private readonly items: RejectedRecord[] = [];
  private payloadBytes = 0;

  add(record: SourceRecord, reason: string, rejectedAt: number): void {
    const { topic, partition, offset, key } = record;
    const payload = record.value ?? NO_BYTES;
    this.items.push({ topic, partition, offset, key, payload, reason, rejectedAt });
    this.payloadBytes += payload.byteLength + (key?.byteLength ?? 0);
  }

  get size(): number {
    return this.items.length;
  }

  /** Key and payload bytes held; an oversize reject alone is over 1 MiB, so a flush policy watches this. */
  get bytes(): number {
    return this.payloadBytes;
  }

  get records(): readonly RejectedRecord[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
    this.payloadBytes = 0;
  }
}
