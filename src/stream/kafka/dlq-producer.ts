/**
 * Sends rejected records to `<topic>.dlq`: the original key and value, and headers saying
 * why and where from. Called before the Iceberg commit that puts the same records into
 * graph.rejected_events, so the DLQ is at-least-once: a crash between the two re-sends them.
 */
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';
import type { RejectedRecord } from '../window/rejected-buffer.js';
import { sendChunks, payloadBytes } from './send-chunks.js';
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
    for (const chunk of sendChunks(rejected, (r) => payloadBytes(r.key, r.payload), MAX_EVENT_BYTES, 10_000)) {
      await this.producer.send({ topic: dlqTopicOf(this.topic), acks: -1, messages: chunk.map(dlqMessageOf) });
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}
