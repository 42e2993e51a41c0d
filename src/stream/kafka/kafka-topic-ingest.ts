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
 * All work on the job (records, starting flushes, assignments) runs one step at a time
 * through `exclusive`; eachBatch awaits it, and kafkajs does not fetch again until
 * eachBatch returns. A flush writes and commits in the background while the next window
 * fills; at most one is in flight. A commit interval that ends during a flush does not
 * wait for it — the window keeps filling and is taken once the flush is done — but a full
 * window does (backpressure), so memory stays at one fetch plus two windows.
 *
 * A failed flush loses its window from memory (the job takes it when the flush starts), so
 * recovery is always the same: back off, reload from the lake and re-read from its
 * offsets. Records processed meanwhile are dropped with the window and re-read too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelayMs } from '../../common/backoff.js';
import { OffsetFenceError, OffsetGapError, type FlushResult, type TopicJob } from '../job/topic-job.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import type { JsonLog } from '../metrics/json-log.js';
import { BROKER_RETRY, withOwnConnections } from './kafka-client.js';
import { DlqProducer } from './dlq-producer.js';
import { EndOffsets } from './end-offsets.js';
import { sourceRecordOf } from './kafka-record.js';
import { subscribedTopicsAssigner } from './subscribed-topics-assigner.js';

export interface KafkaIngestOptions {
  readonly kafka: Kafka;
  readonly job: TopicJob;
  readonly groupId: string;
  readonly commitIntervalMs: number;
  /** Stop once no record arrived for this long, every assigned partition is read to its end and everything read is committed. */
  readonly exitWhenIdleMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly metrics: IngestMetrics;
  readonly log: JsonLog;
  /** Called with each new assignment before the job reloads (the n-th call is the n-th assignment). */
  readonly onAssignment?: (partitions: readonly number[]) => void;
}

export type StopReason = 'signal' | 'idle';

/** Consecutive failed flushes (each followed by a re-read from the lake) before the process gives up; a restart resumes from the lake. */
const FLUSH_ATTEMPTS = 8;
const FLUSH_BACKOFF = { baseMs: 500, maxMs: 10_000 };
const TICK_MS = 100;
/** Consecutive seeks back over a gap in one partition before the records count as gone from Kafka. */
const MAX_GAP_SEEKS = 3;

export class KafkaTopicIngest {
  private readonly consumer: Consumer;
  private readonly dlq: DlqProducer;
  private readonly endOffsets: EndOffsets;
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
  /** The flush in the background, with its outcome handled; never rejects. */
  private flushing: Promise<void> = Promise.resolve();
  private flushInFlight = false;
  /** Set when a background flush failed; the next step re-reads from the lake. */
  private flushFailure: { readonly error: unknown } | undefined;
  private failedFlushes = 0;
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
      partitionAssigners: [subscribedTopicsAssigner],
    });
    this.dlq = new DlqProducer(options.kafka, this.topic, options.log);
    this.endOffsets = new EndOffsets(options.kafka, this.topic);
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.pendingAssignment = payload.memberAssignment[this.topic] ?? [];
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      options.log(payload.restart ? 'warn' : 'error', 'consumer crashed', { error: payload.error.message, restart: payload.restart });
      if (!payload.restart) this.fail(payload.error);
    });
  }

  /** Consumes until `stop()` or the idle limit; resolves once the last window is committed, the group left and every connection closed. */
  async run(): Promise<StopReason> {
    await withOwnConnections(() => this.consume());
    if (this.failure !== undefined) throw this.failure;
    return this.stopRequested!;
  }

  private async consume(): Promise<void> {
    const stopped = new Promise<void>((resolve) => (this.wake = resolve));
    let tickQueued = false;
    const ticker = setInterval(() => {
      if (tickQueued) return;
      tickQueued = true;
      void this.exclusive(() => this.tick()).finally(() => (tickQueued = false));
    }, TICK_MS);
    try {
      await this.consumer.connect();
      await this.dlq.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await this.consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: false,
        eachBatch: (payload) => {
          // Arrival, not processing, ends idleness: a batch may wait here behind a step that waits for a flush.
          if (payload.batch.messages.length > 0) this.lastRecordAt = Date.now();
          return this.exclusive(() => this.onBatch(payload));
        },
      });
      await stopped;
      clearInterval(ticker);
      // Steps queued from now on are skipped, so after this wait the job is ours alone.
      await this.queue;
      await this.flushLastWindow();
    } finally {
      clearInterval(ticker);
      await this.flushing;
      await this.consumer.disconnect().catch(() => {});
      await this.dlq.close().catch(() => {});
      await this.endOffsets.close().catch(() => {});
    }
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
    if (this.flushFailure !== undefined) return this.recoverFromFailedFlush(); // so does this one
    const { partition, messages } = batch;
    const next = this.nextOffsets.get(partition);
    if (next === undefined || isStale() || messages.length === 0) return;
    const { job } = this.options;
    try {
      for (const message of messages) job.process(sourceRecordOf(this.topic, partition, message));
    } catch (error) {
      if (!(error instanceof OffsetGapError)) throw error;
      return this.seekBackOverGap(error);
    }
    this.gapSeeks.delete(partition);
    // Moves kafkajs's fetch position on (autoCommit is off, so nothing is committed by it).
    resolveOffset(batch.lastOffset());
    const after = Number(messages[messages.length - 1]!.offset) + 1;
    this.nextOffsets.set(partition, Math.max(next, after));
    this.options.metrics.lag.set(partition, Math.max(0, Number(batch.highWatermark) - after));
    if (job.isFull()) await this.startFlush();
  }

  /**
   * The job refused a record past its next offset. After the seeks, fetches start exactly
   * there, but a seek can get lost in a rejoin: seek back. If the records stay missing the
   * broker no longer has them (retention), and going on would silently lose them.
   */
  private seekBackOverGap({ partition, expected, got }: OffsetGapError): void {
    const seeks = (this.gapSeeks.get(partition) ?? 0) + 1;
    if (seeks > MAX_GAP_SEEKS) throw new Error(`${this.topic}/${partition}: offsets ${expected}..${got - 1} are gone from Kafka; the lake needs them`);
    this.gapSeeks.set(partition, seeks);
    this.options.log('warn', 'offset gap; seeking back', { topic: this.topic, partition, expected, got });
    this.nextOffsets.set(partition, expected);
    this.consumer.seek({ topic: this.topic, partition, offset: String(expected) });
  }

  private async tick(): Promise<void> {
    if (this.pendingAssignment !== undefined) return this.takeAssignment();
    if (this.flushFailure !== undefined) return this.recoverFromFailedFlush();
    const { job, commitIntervalMs, exitWhenIdleMs } = this.options;
    if (job.pendingRecords > 0 && !this.flushInFlight && Date.now() - this.lastFlushAt >= commitIntervalMs) await this.startFlush();
    const idle = () => this.everAssigned && job.pendingRecords === 0 && Date.now() - this.lastRecordAt >= (exitWhenIdleMs ?? Infinity);
    if (!idle()) return;
    // Idle means committed: a flush still running may yet fail and need its records re-read,
    // and records may arrive while it runs.
    await this.flushing;
    if (this.flushFailure !== undefined || !idle()) return;
    if (await this.readToEnd()) this.stop('idle');
    else this.lastRecordAt = Date.now(); // not idle: look again after another idle period
  }

  /**
   * Whether every assigned partition has been handed to the job up to the broker's end.
   * A quiet spell alone does not show it: under load a fetch can take longer than the idle
   * limit, or its batch can wait behind a step that waits for a flush, and a step started
   * after such a wait would see only the quiet.
   */
  private async readToEnd(): Promise<boolean> {
    let ends: Map<number, number>;
    try {
      ends = await this.endOffsets.fetch();
    } catch (error) {
      // Not knowing is not idle; a broker outage is no reason to stop either.
      this.options.log('warn', 'could not read the end offsets; not idle yet', { topic: this.topic, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
    let atEnd = true;
    for (const [partition, next] of this.nextOffsets) {
      const lag = Math.max(0, (ends.get(partition) ?? 0) - next);
      this.options.metrics.lag.set(partition, lag);
      if (lag > 0) atEnd = false;
    }
    if (!atEnd) this.options.log('info', 'quiet but not read to the end; not idle yet', { topic: this.topic, lag: Object.fromEntries(this.options.metrics.lag) });
    return atEnd;
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

  /** Waits out the flush in flight (its outcome no longer matters), then reads on from the committed state. */
  private async restartFromLake(partitions: readonly number[]): Promise<void> {
    const { job } = this.options;
    await this.flushing;
    this.flushFailure = undefined;
    await job.reload();
    const starts = job.assign(partitions);
    this.assigned = partitions;
    this.everAssigned = true;
    this.lastRecordAt = Date.now();
    this.nextOffsets.clear();
    this.gapSeeks.clear();
    this.options.metrics.lag.clear();
    for (const [partition, offset] of starts) {
      this.nextOffsets.set(partition, offset);
      this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
    }
    this.lastFlushAt = Date.now();
  }

  /** A fence means another member owns a partition now (no backoff); anything else is retried after a backoff, a bounded number of times. */
  private async recoverFromFailedFlush(): Promise<void> {
    const { error } = this.flushFailure!;
    const { metrics, log } = this.options;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof OffsetFenceError) {
      metrics.offsetFences++;
      log('warn', 'offset fence: another writer owns a partition; re-reading from the lake', { topic: this.topic, error: message });
    } else {
      metrics.flushFailures++;
      if (++this.failedFlushes >= FLUSH_ATTEMPTS) throw error;
      const delayMs = backoffDelayMs(FLUSH_BACKOFF, this.failedFlushes);
      log('warn', 'flush failed; re-reading from the lake after a backoff', { topic: this.topic, attempt: this.failedFlushes, delayMs: Math.round(delayMs), error: message });
      await sleep(delayMs);
    }
    await this.restartFromLake(this.assigned);
  }

  /**
   * Hands the window to the job's background flush. The window's rejects go to the DLQ
   * first, so the DLQ holds everything graph.rejected_events will (at-least-once).
   */
  private async startFlush(): Promise<void> {
    const { job, metrics } = this.options;
    if (job.pendingRecords === 0) return;
    await this.flushing;
    if (this.flushFailure !== undefined) return this.recoverFromFailedFlush(); // this window would be refused too
    const rejected = job.pendingRejections;
    await this.dlq.send(rejected);
    metrics.dlqRecords += rejected.length;
    const covered = [...this.nextOffsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset: String(offset) }));
    this.lastFlushAt = Date.now();
    this.flushInFlight = true;
    this.flushing = job
      .flush()
      .then(
        (result) => this.flushed(result, covered),
        (error: unknown) => {
          this.flushFailure = { error };
        },
      )
      .finally(() => (this.flushInFlight = false));
  }

  private async flushed(result: FlushResult, covered: Array<{ topic: string; partition: number; offset: string }>): Promise<void> {
    const { metrics, log } = this.options;
    this.failedFlushes = 0;
    if (result.committedTables.length > 0) metrics.recordCommit(result.durationMs / 1000);
    log('debug', 'flushed', { topic: this.topic, ...result });
    // Lag monitoring only: nothing ever reads from these offsets.
    try {
      await this.consumer.commitOffsets(covered);
    } catch (error) {
      log('warn', 'group offset commit failed (monitoring only)', { topic: this.topic, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** On stop: commits what the job holds. A failure here is the run's; a restart re-reads it from the lake. */
  private async flushLastWindow(): Promise<void> {
    await this.settleFlush();
    if (this.failure !== undefined) return;
    await this.startFlush();
    await this.settleFlush();
  }

  private async settleFlush(): Promise<void> {
    await this.flushing;
    if (this.flushFailure !== undefined) this.failure ??= this.flushFailure.error;
  }
}
