/**
 * One topic job fed by a Kafka consumer group: the production counterpart of the
 * embedded pipeline.
 *
 * Where reading starts is the lake's decision, never the group's: on every assignment the
 * window is dropped, the tables are reloaded and each partition is sought to the offset
 * `TopicJob.assign` returns (the snapshot's replay point). Batches fetched before those
 * seeks take effect are stale and skipped. Group offsets are committed after each
 * successful flush, for lag dashboards only.
 *
 * All work on the job (records, flushes, assignments) runs one step at a time through
 * `exclusive`; eachBatch awaits it, and kafkajs does not fetch again until eachBatch
 * returns, so a running flush pauses fetching and memory stays at one fetch plus the window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { OffsetFenceError, type FlushResult, type TopicJob } from '../job/topic-job.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import type { JsonLog } from '../metrics/json-log.js';
import { BROKER_RETRY } from './kafka-client.js';
import { DlqProducer } from './dlq-producer.js';
import { sourceRecordOf } from './kafka-record.js';

export interface KafkaIngestOptions {
  readonly kafka: Kafka;
  readonly job: TopicJob;
  readonly groupId: string;
  readonly commitIntervalMs: number;
  /** Stop once no record arrived for this long and everything read is committed. */
  readonly exitWhenIdleMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly metrics: IngestMetrics;
  readonly log: JsonLog;
  /** Called with each new assignment before the job reloads (the n-th call is the n-th assignment). */
  readonly onAssignment?: (partitions: readonly number[]) => void;
}

export type StopReason = 'signal' | 'idle';

/** Failed flushes are retried this often, backing off, before the process gives up (and a restart resumes from the lake). */
const FLUSH_ATTEMPTS = 8;
const TICK_MS = 100;
const MAX_GAP_SEEKS = 3;

export class KafkaTopicIngest {
  private readonly consumer: Consumer;
  private readonly dlq: DlqProducer;
  private readonly topic: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set by the group-join event, taken by the next step. */
  private pendingAssignment: readonly number[] | undefined;
  private assigned: readonly number[] = [];
  private everAssigned = false;
  /** Per assigned partition, the next offset to hand the job (for seeks, lag and group offsets). */
  private readonly nextOffsets = new Map<number, number>();
  /** Consecutive seeks back over a gap, per partition. */
  private readonly gapSeeks = new Map<number, number>();
  private lastFlushAt = Date.now();
  private lastRecordAt = Date.now();
  private stopRequested: StopReason | undefined;
  private failure: unknown;
  private wake: () => void = () => {};

  constructor(private readonly options: KafkaIngestOptions) {
    this.topic = options.job.topic;
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      maxBytes: 16 << 20,
      maxBytesPerPartition: 4 << 20,
      // Seeks take effect only when the fetch in flight returns; an idle fetch waits this long.
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      retry: BROKER_RETRY,
    });
    this.dlq = new DlqProducer(options.kafka, this.topic);
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.pendingAssignment = payload.memberAssignment[this.topic] ?? [];
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      options.log(payload.restart ? 'warn' : 'error', 'consumer crashed', { error: payload.error.message, restart: payload.restart });
      if (!payload.restart) this.fail(payload.error);
    });
  }

  /** Consumes until `stop()` or the idle limit; resolves once the last window is committed and the group left. */
  async run(): Promise<StopReason> {
    const stopped = new Promise<void>((resolve) => (this.wake = resolve));
    let tickQueued = false;
    const ticker = setInterval(() => {
      if (tickQueued) return;
      tickQueued = true;
      void this.exclusive(() => this.tick()).finally(() => (tickQueued = false));
    }, TICK_MS);
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await this.consumer.run({ eachBatchAutoResolve: false, autoCommit: false, eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)) });
      await stopped;
      clearInterval(ticker);
      // Steps queued from now on are skipped, so after this wait the job is ours alone.
      await this.queue;
      if (this.failure === undefined) await this.flushWindow();
    } finally {
      clearInterval(ticker);
      await this.consumer.disconnect().catch(() => {});
      await this.dlq.close().catch(() => {});
    }
    if (this.failure !== undefined) throw this.failure;
    return this.stopRequested!;
  }

  stop(reason: StopReason = 'signal'): void {
    this.stopRequested ??= reason;
    this.wake();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop();
  }

  /** Runs `step` after every earlier step; a throw fails the run instead of reaching kafkajs (which would retry the batch). */
  private exclusive(step: () => Promise<void> | void): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.stopRequested !== undefined) return;
      try {
        await step();
      } catch (error) {
        this.fail(error);
      }
    });
    this.queue = next;
    return next;
  }

  private async onBatch({ batch, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (this.pendingAssignment !== undefined) return this.takeAssignment(); // this batch predates the seeks
    const { partition, messages } = batch;
    const next = this.nextOffsets.get(partition);
    if (next === undefined || isStale() || messages.length === 0) return;
    // After the seeks, fetches start exactly at `next`. A batch starting later would skip
    // records: seek back (a seek can get lost in a rejoin); if they stay missing, the broker
    // no longer has them (retention) and going on would silently lose them.
    const first = Number(messages[0]!.offset);
    if (first > next) {
      const gaps = (this.gapSeeks.get(partition) ?? 0) + 1;
      if (gaps > MAX_GAP_SEEKS) throw new Error(`${this.topic}/${partition}: offsets ${next}..${first - 1} are gone from Kafka; the lake needs them`);
      this.gapSeeks.set(partition, gaps);
      this.options.log('warn', 'offset gap; seeking back', { topic: this.topic, partition, expected: next, got: first });
      this.consumer.seek({ topic: this.topic, partition, offset: String(next) });
      return;
    }
    this.gapSeeks.delete(partition);
    const { job } = this.options;
    for (const message of messages) job.process(sourceRecordOf(this.topic, partition, message));
    // Moves kafkajs's fetch position on (autoCommit is off, so nothing is committed by it).
    resolveOffset(batch.lastOffset());
    // lastOffset() also covers transaction markers kafkajs filtered out of `messages`.
    const after = Number(batch.lastOffset()) + 1;
    this.nextOffsets.set(partition, Math.max(next, after));
    this.options.metrics.lag.set(partition, Math.max(0, Number(batch.highWatermark) - after));
    this.lastRecordAt = Date.now();
    if (job.isFull()) await this.flushWindow();
  }

  private async tick(): Promise<void> {
    if (this.pendingAssignment !== undefined) return this.takeAssignment();
    const now = Date.now();
    const { job, commitIntervalMs, exitWhenIdleMs } = this.options;
    if (job.pendingRecords > 0 && now - this.lastFlushAt >= commitIntervalMs) await this.flushWindow();
    const idle = this.everAssigned && job.pendingRecords === 0 && Date.now() - this.lastRecordAt >= (exitWhenIdleMs ?? Infinity);
    if (idle) this.stop('idle');
  }

  /**
   * A new assignment (first join, rebalance, or rejoin after a broker restart): the window
   * is dropped unflushed — its partitions may belong to another member now, and whatever it
   * held is re-read from the lake's offsets below.
   */
  private async takeAssignment(): Promise<void> {
    const partitions = this.pendingAssignment!;
    this.pendingAssignment = undefined;
    this.options.metrics.rebalances++;
    this.options.onAssignment?.(partitions);
    await this.restartFromLake(partitions);
    this.options.log('info', 'partitions assigned', { topic: this.topic, partitions, startOffsets: Object.fromEntries(this.nextOffsets) });
  }

  private async restartFromLake(partitions: readonly number[]): Promise<void> {
    const { job } = this.options;
    await job.reload();
    const starts = job.assign(partitions);
    this.assigned = partitions;
    this.everAssigned = true;
    this.lastRecordAt = Date.now();
    this.nextOffsets.clear();
    for (const [partition, offset] of starts) {
      this.nextOffsets.set(partition, offset);
      this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
    }
    this.lastFlushAt = Date.now();
  }

  private async flushWindow(): Promise<void> {
    const { job, metrics, log } = this.options;
    if (job.pendingRecords === 0) return;
    const rejected = job.pendingRejections;
    await this.dlq.send(rejected);
    metrics.dlqRecords += rejected.length;
    let result: FlushResult;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await job.flush();
        break;
      } catch (error) {
        if (error instanceof OffsetFenceError) {
          metrics.offsetFences++;
          log('warn', 'offset fence: another writer owns a partition; re-reading from the lake', { topic: this.topic, error: error.message });
          return this.restartFromLake(this.assigned);
        }
        metrics.flushFailures++;
        if (attempt >= FLUSH_ATTEMPTS) throw error;
        const delayMs = Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
        log('warn', 'flush failed; retrying', { topic: this.topic, attempt, delayMs: Math.round(delayMs), error: error instanceof Error ? error.message : String(error) });
        await sleep(delayMs);
      }
    }
    this.lastFlushAt = Date.now();
    if (result.committedTables.length > 0) metrics.recordCommit(result.durationMs / 1000);
    log('debug', 'flushed', { topic: this.topic, ...result });
    await this.commitGroupOffsets();
  }

  /** Lag monitoring only: nothing ever reads from these offsets. */
  private async commitGroupOffsets(): Promise<void> {
    const offsets = [...this.nextOffsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset: String(offset) }));
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      this.options.log('warn', 'group offset commit failed (monitoring only)', { topic: this.topic, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
