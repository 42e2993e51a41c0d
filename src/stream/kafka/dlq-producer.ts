/**
 * Sends rejected records to `<topic>.dlq`: the original key and value, and headers saying
 * why and where from. Called before the Iceberg commit that puts the same records into
 * graph.rejected_events, so the DLQ is at-least-once: a crash between the two re-sends them.
 *
 * The ingest loop waits for each send, so a send must end, and a broker restart must not
 * end it early: kafkajs gives up on a send after a connection error well before a restart
 * is over, and can also keep one pending far longer (its retries nest). So each chunk is
 * retried here with a backoff until it lands or SEND_DEADLINE_MS have passed; then the send
 * fails, the process exits 1 and a restart re-reads the window from the lake. A retried
 * chunk may land twice, which at-least-once allows.
 */
import { withRetries } from '../../common/backoff.js';
import { errorMessage } from '../../common/error-message.js';
import { within } from '../../common/within.js';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';
import type { JsonLog } from '../metrics/json-log.js';
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

/** Outlasts a broker restart (about a minute of kafkajs reconnects, BROKER_RETRY) with room to spare. */
const SEND_DEADLINE_MS = 120_000;
const SEND_BACKOFF = { baseMs: 500, maxMs: 5_000 };

export class DlqProducer {
  private readonly producer: Producer;
  private readonly dlqTopic: string;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
    private readonly log: JsonLog,
  ) {
    this.dlqTopic = dlqTopicOf(topic);
    // Idempotent: a send kafkajs retries itself must not leave two copies of one reject in the DLQ.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  /** Connects ahead of the first reject, so that a broker outage then does not also have to set up the producer. */
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async send(rejected: readonly RejectedRecord[]): Promise<void> {
    const giveUpAt = Date.now() + SEND_DEADLINE_MS;
    for (const chunk of sendChunks(rejected, (r) => payloadBytes(r.key, r.payload), MAX_EVENT_BYTES, 10_000)) {
      const messages = chunk.map(dlqMessageOf);
      try {
        await withRetries(() => within(this.sendChunk(messages), giveUpAt - Date.now(), `DLQ send to ${this.dlqTopic}`), {
          backoff: SEND_BACKOFF,
          retryable: () => true,
          deadlineMs: giveUpAt - Date.now(),
          onRetry: (error, attempt, delayMs) =>
            this.log('warn', 'DLQ send failed; retrying', { topic: this.topic, attempt, delayMs: Math.round(delayMs), error: errorMessage(error) }),
        });
      } catch (error) {
        throw new Error(`DLQ send to ${this.dlqTopic} failed for ${SEND_DEADLINE_MS / 1000} s: ${errorMessage(error)}`, { cause: error });
      }
    }
  }

  private async sendChunk(messages: Message[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic: this.dlqTopic, acks: -1, messages });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }
}
