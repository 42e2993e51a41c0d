/**
 * Reads the graph topics from Kafka for the hot tier, read-only: a consumer group of its
 * own (so it gets every partition and disturbs no writer), positions chosen by the
 * session from the snapshot — never from group offsets, which it never commits.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { errorMessage } from '../../common/error-message.js';
import { sourceRecordOf } from '../../stream/kafka/kafka-record.js';
import { highWatermarks } from '../../stream/kafka/end-offsets.js';
import type { TailDecoder } from './tail-decoder.js';
import type { TailHealth } from './tail-health.js';

/** Fetches return every 100 ms when nothing arrives; this long without one means the broker is gone. */
const STALE_FETCH_MS = 10_000;

export class KafkaTail {
  private readonly consumer: Consumer;
  private paused = false;
  private failure: unknown;
  private lastFetchAt = Date.now();
  /** The last crash kafkajs restarts the consumer after; cleared by the next fetch. */
  private crash: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly topics: readonly string[],
    private readonly decoder: TailDecoder,
    /** Called after each batch, with the decoder's buffer holding the batch's rows. */
    private readonly onBatch: () => void,
  ) {
    this.consumer = kafka.consumer({
      groupId: `lakegraph-query-${randomUUID()}`,
      // Freshness: return a fetch as soon as anything arrived, and poll often when idle.
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) this.seekToDecoder(topic, partition);
      }
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.crash = payload.error.message;
      if (!payload.restart) this.failure = payload.error;
    });
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.lastFetchAt = Date.now();
      this.crash = undefined;
    });
  }

  health(): TailHealth {
    if (this.failure !== undefined) return { state: 'down', error: errorMessage(this.failure) };
    if (this.crash !== undefined) return { state: 'down', error: this.crash };
    const sinceFetchMs = Date.now() - this.lastFetchAt;
    if (sinceFetchMs > STALE_FETCH_MS) return { state: 'down', error: `no fetch for ${Math.round(sinceFetchMs / 1000)} s` };
    return { state: 'live' };
  }

  /** The topics' high watermarks now: a one-shot query reads up to these. */
  async endOffsets(): Promise<Map<string, Map<number, number>>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, Map<number, number>>();
      for (const topic of this.topics) {
        ends.set(topic, await highWatermarks(admin, topic));
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => this.take(payload) });
  }

  /** Whether the decoder has read every partition up to `ends`. */
  reached(ends: ReadonlyMap<string, ReadonlyMap<number, number>>): boolean {
    if (this.failure !== undefined) throw this.failure;
    for (const [topic, partitions] of ends) {
      for (const [partition, end] of partitions) if (this.decoder.nextOffset(topic, partition) < end) return false;
    }
    return true;
  }

  /** Backpressure: stop fetching while the hot tier is full, until a snapshot drains it. */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const topics = this.topics.map((topic) => ({ topic }));
    if (paused) this.consumer.pause(topics);
    else this.consumer.resume(topics);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
  }

  private seekToDecoder(topic: string, partition: number): void {
    this.consumer.seek({ topic, partition, offset: String(this.decoder.nextOffset(topic, partition)) });
  }

  private async take({ batch }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return;
    // A batch fetched before our seek took effect, starting past where we stand: go back.
    if (Number(messages[0]!.offset) > this.decoder.nextOffset(topic, partition)) {
      this.seekToDecoder(topic, partition);
      return;
    }
    for (const message of messages) this.decoder.process(sourceRecordOf(topic, partition, message));
    this.onBatch();
  }
}
