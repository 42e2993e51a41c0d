/**
 * What drives a topic job from a consumer group, without Kafka: assignments, batches, seeks
 * and gap recovery, flush scheduling, failed-flush backoff and idle detection. The kafkajs
 * shell (kafka/kafka-topic-ingest.ts) feeds it events and gives it an `IngestSource` to
 * seek, commit group offsets, ask end offsets and send rejects to the DLQ; unit tests feed
 * it a fake one.
 *
 * Where reading starts is the lake's decision, never the group's: every assigned partition
 * is sought to the offset the job returns, and batches fetched before those seeks take
 * effect are stale and skipped. Group offsets are committed after each successful flush,
 * for lag dashboards only.
 *
 * Rebalances are cheap. kafkajs rebalances eagerly: when one starts (`rebalancing`) no
 * batch is being handled, and the member rejoins at once; the window is flushed right
 * then, so what was read is committed with its offsets while this member still owns its
 * partitions. The group leader hands out the new assignment only once its own such commit
 * is done (kafka-topic-ingest.ts), so what it gives up is in the lake before the new owner
 * reloads; another member's commit races with that reload and, if it lands after, fences
 * the new owner once (see below). At the new assignment the job keeps every partition
 * that stays, with its dedup state, and reads on from where it was (`TopicJob.reassign`);
 * only a partition it takes is read from the lake's replay point (what the dedup horizon
 * needs). The first assignment, or one that finds a failed flush, reloads everything and
 * reads every partition from the lake's replay point.
 *
 * Why committing on (or after) a rebalance stays exactly-once: every table commit is a
 * compare-and-set of each written partition's offset against the one this job last saw
 * (TopicJob's offset fence), and offsets only grow. If a new owner has committed a
 * partition first, the table's offset is past ours, the flush fails with OffsetFenceError
 * and this job re-reads from the lake; if we commit first, the new owner's first commit
 * is fenced the same way and it re-reads from our offsets. A kept partition is kept only
 * if every table still holds the offset this job last committed, so one taken and handed
 * back meanwhile starts over from the lake.
 *
 * All work on the job (records, starting flushes, assignments) runs one step at a time
 * through `exclusive`; the shell awaits each batch's step, and kafkajs does not fetch again
 * until it returns. A flush writes and commits in the background while the next window
 * fills; at most one is in flight. A commit interval that ends during a flush does not
 * wait for it — the window keeps filling and is taken once the flush is done — but a full
 * window does (backpressure), so memory stays at one fetch plus two windows.
 *
 * A failed flush loses its window from memory (the job takes it when the flush starts), so
 * recovery is always the same: back off, reload from the lake and re-read from its
 * offsets. Records processed meanwhile are dropped with the window and re-read too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs, type Backoff } from '../../common/backoff.js';
import { errorMessage } from '../../common/error-message.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import type { JsonLog } from '../metrics/json-log.js';
import type { SourceRecord } from '../source-record.js';
import type { RejectedRecord } from '../window/rejected-buffer.js';
import { BackgroundFlush } from './background-flush.js';
import { ForgottenAccountsChangedError, OffsetFenceError } from '../commit/contribution.js';
import { OffsetGapError, type FlushResult, type TopicJob } from './topic-job.js';

/** What the scheduler asks of the consumer side. */
export interface IngestSource {
  /** Moves the partition's fetch position; batches fetched before it takes effect come as stale. */
  seek(partition: number, offset: number): void;
  /** Group offsets, per partition the next offset: lag monitoring only. */
  commitOffsets(next: ReadonlyMap<number, number>): Promise<void>;
  /** Per partition, the broker's end offset now. */
  endOffsets(): Promise<Map<number, number>>;
  sendRejected(rejected: readonly RejectedRecord[]): Promise<void>;
}

/** One fetched batch of one partition, its records built on demand. */
export interface FetchedBatch {
  readonly partition: number;
  readonly size: number;
  record(index: number): SourceRecord;
  /** The partition's end offset when the batch was fetched. */
  readonly highWatermark: number;
  /** Whether a seek or an assignment made this batch obsolete since it was fetched. */
  isStale(): boolean;
  /** Moves the consumer's fetch position past the batch. */
  resolve(): void;
}

export type IngestJob = Pick<TopicJob, 'topic' | 'reload' | 'assign' | 'reassign' | 'process' | 'isFull' | 'pendingRecords' | 'pendingRejections' | 'flush'>;

export interface IngestSchedulerOptions {
  readonly job: IngestJob;
  readonly source: IngestSource;
  readonly commitIntervalMs: number;
  /** Stop once no record arrived for this long, every assigned partition is read to its end and everything read is committed. */
  readonly exitWhenIdleMs?: number;
  readonly metrics: IngestMetrics;
  readonly log: JsonLog;
  /** Called with each new assignment before the job reloads (the n-th call is the n-th assignment). */
  readonly onAssignment?: (partitions: readonly number[]) => void;
  /** Between re-reads after failed flushes; tests shorten it. */
  readonly flushBackoff?: Backoff;
}

export type StopReason = 'signal' | 'idle';

/** Consecutive failed flushes (each followed by a re-read from the lake) before the process gives up; a restart resumes from the lake. */
const FLUSH_ATTEMPTS = 8;
const FLUSH_BACKOFF: Backoff = { baseMs: 500, maxMs: 10_000 };
const TICK_MS = 100;
/** Consecutive seeks back over a gap in one partition before the records count as gone from Kafka. */
const MAX_GAP_SEEKS = 3;

export class IngestScheduler {
  private readonly topic: string;
  private queue: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  /** Set by the group-join event, taken by the next step. */
  private pendingAssignment: readonly number[] | undefined;
  private assigned: readonly number[] = [];
  private everAssigned = false;
  /** Per assigned partition, the next offset to hand the job (for seeks, lag and group offsets). */
  private readonly nextOffsets = new Map<number, number>();
  /** Consecutive seeks back over a gap, per partition. */
  private readonly gapSeeks = new Map<number, number>();
  private readonly flush = new BackgroundFlush();
  private rebalanceCommit: Promise<void> = Promise.resolve();
  /** From the start of a rebalance to its assignment: the partitions to read are not known, so this is never idle. */
  private rebalanceUnderway = false;
  private failedFlushes = 0;
  private lastFlushAt = Date.now();
  private lastRecordAt = Date.now();
  private stopRequested: StopReason | undefined;
  private failure: unknown;
  private wake: () => void = () => {};
  /** Resolves once `stop` or `fail` was called, or the idle limit reached. */
  readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(private readonly options: IngestSchedulerOptions) {
    this.topic = options.job.topic;
  }

  /** Starts the commit-interval and idle ticks. */
  start(): void {
    let tickQueued = false;
    this.ticker = setInterval(() => {
      if (tickQueued) return;
      tickQueued = true;
      void this.exclusive(() => this.tick()).finally(() => (tickQueued = false));
    }, TICK_MS);
  }

  /** The group assigned these partitions of the topic; the next step takes them. */
  assign(partitions: readonly number[]): void {
    this.pendingAssignment = partitions;
    this.rebalanceUnderway = false;
  }

  /** The group started a rebalance: commit what has been read while the partitions are still ours. */
  rebalancing(): void {
    this.rebalanceUnderway = true;
    this.rebalanceCommit = this.exclusive(() => (this.flush.failure === undefined ? this.startFlush() : undefined)).then(() => this.flush.settled());
  }

  /** Settles once the commit the last `rebalancing` started is done, whatever its outcome. */
  rebalanceCommitted(): Promise<void> {
    return this.rebalanceCommit;
  }

  /** A fetched batch; resolves once it is handled (the consumer fetches again only then). */
  batch(batch: FetchedBatch): Promise<void> {
    // Arrival, not processing, ends idleness: a batch may wait here behind a step that waits for a flush.
    if (batch.size > 0) this.lastRecordAt = Date.now();
    return this.exclusive(() => this.onBatch(batch));
  }

  stop(reason: StopReason = 'signal'): void {
    this.stopRequested ??= reason;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure ??= error;
    this.stop();
  }

  /** After `stopped`: waits for the steps under way and commits what the job holds. */
  async drain(): Promise<void> {
    clearInterval(this.ticker);
    // Steps queued from now on are skipped, so after this wait the job is ours alone.
    await this.queue;
    await this.flushLastWindow();
  }

  /** Stops the ticks and waits for the flush in flight, however the run ended. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    await this.flush.settled();
  }

  /** Why the run stopped; throws its failure instead if it failed. */
  outcome(): StopReason {
    if (this.failure !== undefined) throw this.failure;
    return this.stopRequested!;
  }

  /** Runs `step` after every earlier step; a throw fails the run instead of reaching the consumer (which would retry the batch). */
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

  private async onBatch(batch: FetchedBatch): Promise<void> {
    if (this.pendingAssignment !== undefined) return this.takeAssignment(); // this batch predates the seeks
    if (this.flush.failure !== undefined) return this.recoverFromFailedFlush(); // so does this one
    const { partition, size } = batch;
    const next = this.nextOffsets.get(partition);
    if (next === undefined || size === 0 || batch.isStale()) return;
    const { job } = this.options;
    let last: SourceRecord | undefined;
    try {
      for (let i = 0; i < size; i++) job.process((last = batch.record(i)));
    } catch (error) {
      if (!(error instanceof OffsetGapError)) throw error;
      return this.seekBackOverGap(error);
    }
    this.gapSeeks.delete(partition);
    batch.resolve();
    const after = last!.offset + 1;
    this.nextOffsets.set(partition, Math.max(next, after));
    this.options.metrics.lag.set(partition, Math.max(0, batch.highWatermark - after));
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
    this.options.source.seek(partition, expected);
  }

  private async tick(): Promise<void> {
    if (this.pendingAssignment !== undefined) return this.takeAssignment();
    if (this.flush.failure !== undefined) return this.recoverFromFailedFlush();
    const { job, commitIntervalMs, exitWhenIdleMs } = this.options;
    if (job.pendingRecords > 0 && !this.flush.inFlight && Date.now() - this.lastFlushAt >= commitIntervalMs) await this.startFlush();
    const idle = () => this.everAssigned && !this.rebalanceUnderway && job.pendingRecords === 0 && Date.now() - this.lastRecordAt >= (exitWhenIdleMs ?? Infinity);
    if (!idle()) return;
    // Idle means committed: a flush still running may yet fail and need its records re-read,
    // and records may arrive while it runs.
    await this.flush.settled();
    if (this.flush.failure !== undefined || !idle()) return;
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
      ends = await this.options.source.endOffsets();
    } catch (error) {
      // Not knowing is not idle; a broker outage is no reason to stop either.
      this.options.log('warn', 'could not read the end offsets; not idle yet', { topic: this.topic, error: errorMessage(error) });
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
   * A new assignment (first join, rebalance, or rejoin after a broker restart). What is
   * still unflushed (records handled after the rebalance began, or a rejoin without one)
   * is committed first — the offset fence refuses it for a partition another member has
   * committed since — then the job keeps the partitions that stay. After a failed flush,
   * and on the first assignment, everything is read from the lake's offsets instead.
   */
  private async takeAssignment(): Promise<void> {
    const partitions = this.pendingAssignment!;
    this.pendingAssignment = undefined;
    this.options.metrics.rebalances++;
    this.options.onAssignment?.(partitions);
    await this.flush.settled();
    const keep = this.everAssigned && this.flush.failure === undefined;
    if (keep) {
      await this.startFlush();
      await this.flush.settled();
    }
    const { failure } = this.flush;
    if (keep && failure === undefined) {
      this.readFrom(partitions, await this.options.job.reassign(partitions));
    } else {
      if (failure?.error instanceof OffsetFenceError) this.options.metrics.offsetFences++;
      if (failure?.error instanceof ForgottenAccountsChangedError) this.options.metrics.forgetFences++;
      await this.restartFromLake(partitions);
    }
    this.options.log('info', 'partitions assigned', { topic: this.topic, partitions, startOffsets: Object.fromEntries(this.nextOffsets) });
  }

  /** Waits out the flush in flight (its outcome no longer matters), then reads on from the committed state. */
  private async restartFromLake(partitions: readonly number[]): Promise<void> {
    const { job } = this.options;
    await this.flush.settled();
    this.flush.forgetFailure();
    await job.reload();
    this.readFrom(partitions, job.assign(partitions));
  }

  /** Seeks every assigned partition to where the job reads it from. */
  private readFrom(partitions: readonly number[], starts: ReadonlyMap<number, number>): void {
    const { source } = this.options;
    this.assigned = partitions;
    this.everAssigned = true;
    this.lastRecordAt = Date.now();
    this.nextOffsets.clear();
    this.gapSeeks.clear();
    this.options.metrics.lag.clear();
    for (const [partition, offset] of starts) {
      this.nextOffsets.set(partition, offset);
      source.seek(partition, offset);
    }
    this.lastFlushAt = Date.now();
  }

  /** A fence means another member owns a partition now (no backoff); anything else is retried after a backoff, a bounded number of times. */
  private async recoverFromFailedFlush(): Promise<void> {
    const { error } = this.flush.failure!;
    const { metrics, log } = this.options;
    if (error instanceof OffsetFenceError) {
      metrics.offsetFences++;
      log('warn', 'offset fence: another writer owns a partition; re-reading from the lake', { topic: this.topic, error: errorMessage(error) });
    } else if (error instanceof ForgottenAccountsChangedError) {
      metrics.forgetFences++;
      log('info', 'accounts were forgotten; re-reading the list and the uncommitted records', { topic: this.topic, error: errorMessage(error) });
    } else {
      metrics.flushFailures++;
      if (++this.failedFlushes >= FLUSH_ATTEMPTS) throw error;
      const delayMs = backoffDelayMs(this.options.flushBackoff ?? FLUSH_BACKOFF, this.failedFlushes);
      log('warn', 'flush failed; re-reading from the lake after a backoff', { topic: this.topic, attempt: this.failedFlushes, delayMs: Math.round(delayMs), error: errorMessage(error) });
      await sleep(delayMs);
    }
    await this.restartFromLake(this.assigned);
  }

  /**
   * Hands the window to the job's background flush. The window's rejects go to the DLQ
   * first, so the DLQ holds everything graph.rejected_events will (at-least-once).
   */
  private async startFlush(): Promise<void> {
    const { job, metrics, source } = this.options;
    if (job.pendingRecords === 0) return;
    await this.flush.settled();
    if (this.flush.failure !== undefined) return this.recoverFromFailedFlush(); // this window would be refused too
    const rejected = job.pendingRejections;
    await source.sendRejected(rejected);
    metrics.dlqRecords += rejected.length;
    const covered = new Map(this.nextOffsets);
    this.lastFlushAt = Date.now();
    this.flush.start(
      () => job.flush(),
      (result) => this.flushed(result, covered),
    );
  }

  private async flushed(result: FlushResult, covered: ReadonlyMap<number, number>): Promise<void> {
    const { metrics, log, source } = this.options;
    this.failedFlushes = 0;
    if (result.committedTables.length > 0) metrics.recordCommit(result.durationMs / 1000);
    log('debug', 'flushed', { topic: this.topic, ...result });
    try {
      await source.commitOffsets(covered);
    } catch (error) {
      log('warn', 'group offset commit failed (monitoring only)', { topic: this.topic, error: errorMessage(error) });
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
    await this.flush.settled();
    if (this.flush.failure !== undefined) this.failure ??= this.flush.failure.error;
  }
}

