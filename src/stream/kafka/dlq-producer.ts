/**
 * Sends rejected records to `<topic>.dlq`: the original key and value, and headers saying
 * why and where from. Called before the Iceberg commit that puts the same records into
 * graph.rejected_events, so the DLQ is at-least-once: a crash between the two re-sends them.
 */
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';
import type { RejectedRecord } from '../window/rejected-buffer.js';
import { dlqTopicOf } from './topic-admin.js';

export const DLQ_HEADERS = { reason: 'lakegraph.reason', topic: 'lakegraph.source.topic', partition: 'lakegraph.source.partition', offset: 'lakegraph.source.offset' } as const;

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function dlqMessageOf(r: RejectedRecord): Message {
  return {
    key: r.key === null ? null : view(r.key),
    value: view(r.payload),
    headers: {
      [DLQ_HEADERS.reason]: r.reason,
      [DLQ_HEADERS.topic]: r.topic,
      [DLQ_HEADERS.partition]: String(r.partition),
      [DLQ_HEADERS.offset]: String(r.offset),
    },
  };
}

/**
 * The broker limits a whole record batch (one per partition per send) to the topic's
 * max.message.bytes, so rejects go out in groups of at most `limit` payload bytes; an
 * oversize reject travels alone.
 */
function* chunksUnder(rejected: readonly RejectedRecord[], limit: number): Generator<RejectedRecord[]> {
  let chunk: RejectedRecord[] = [];
  let bytes = 0;
  for (const r of rejected) {
    const size = r.payload.byteLength + (r.key?.byteLength ?? 0);
    if (chunk.length > 0 && bytes + size > limit) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

export class DlqProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    // Idempotent: a retried send must not leave two copies of one reject in the DLQ.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async send(rejected: readonly RejectedRecord[]): Promise<void> {
    if (rejected.length === 0) return;
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    for (const chunk of chunksUnder(rejected, MAX_EVENT_BYTES)) {
      await this.producer.send({ topic: dlqTopicOf(this.topic), acks: -1, messages: chunk.map(dlqMessageOf) });
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}
