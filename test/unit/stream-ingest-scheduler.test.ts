/**
 * The ingest scheduler without Kafka: a fake consumer hands it batches from an in-memory
 * partition log and records its seeks, group offsets and DLQ sends; a fake job keeps its
 * "lake" as committed offsets per partition and lets each test settle its flushes.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { IngestScheduler, type FetchedBatch, type IngestJob, type IngestSchedulerOptions, type IngestSource } from '../../src/stream/job/ingest-scheduler.js';
import { OffsetFenceError } from '../../src/stream/commit/contribution.js';
import { OffsetGapError, type FlushResult } from '../../src/stream/job/topic-job.js';
import { IngestMetrics } from '../../src/stream/metrics/ingest-metrics.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import type { RejectedRecord } from '../../src/stream/window/rejected-buffer.js';

const TOPIC = 't';
const record = (partition: number, offset: number): SourceRecord => ({ topic: TOPIC, partition, offset, key: null, value: null, timestamp: 0 });
const reject = (partition: number, offset: number): RejectedRecord => ({ topic: TOPIC, partition, offset, key: null, payload: new Uint8Array(), reason: 'bad', rejectedAt: 0 });

interface PendingFlush {
  readonly records: readonly SourceRecord[];
  succeed(): void;
  fail(error: Error): void;
}

/** What happened, in order, across the fake job and the fake consumer. */
type Event = string;

class FakeJob implements IngestJob {
  readonly topic = TOPIC;
  /** The lake: per partition, the next offset its snapshot holds. */
  readonly committed = new Map<number, number>();
  readonly flushes: PendingFlush[] = [];
  capacity = Infinity;
  /** Flushes settle at once unless a test takes over. */
  autoSettle = true;
  reloads = 0;
  private readonly next = new Map<number, number>();
  private window: SourceRecord[] = [];
  private rejected: RejectedRecord[] = [];

  constructor(private readonly events: Event[]) {}

  async reload(): Promise<void> {
    this.reloads++;
    this.next.clear();
    this.window = [];
    this.rejected = [];
  }

  assign(partitions: readonly number[]): Map<number, number> {
    for (const p of partitions) this.next.set(p, this.committed.get(p) ?? 0);
    return new Map(this.next);
  }

  /** Keeps where it stands in the partitions that stay (the real job also checks the lake still agrees); new ones start from the lake. */
  async reassign(partitions: readonly number[]): Promise<Map<number, number>> {
    assert.equal(this.window.length, 0, 'reassign only with an empty window');
    for (const p of this.next.keys()) if (!partitions.includes(p)) this.next.delete(p);
    return this.assign(partitions.filter((p) => !this.next.has(p)));
  }

  process(r: SourceRecord): void {
    const next = this.next.get(r.partition)!;
    if (r.offset < next) return;
    if (r.offset > next) throw new OffsetGapError(r.partition, next, r.offset);
    this.next.set(r.partition, r.offset + 1);
    this.window.push(r);
    if (r.value === null && r.offset % 10 === 9) this.rejected.push(reject(r.partition, r.offset));
  }

  isFull(): boolean {
    return this.window.length >= this.capacity;
  }

  get pendingRecords(): number {
    return this.window.length;
  }

  get pendingRejections(): readonly RejectedRecord[] {
    return this.rejected;
  }

  flush(): Promise<FlushResult> {
    const records = this.window;
    const positions = new Map(this.next);
    this.window = [];
    this.rejected = [];
    this.events.push(`flush ${records.length}`);
    return new Promise((resolve, reject) => {
      const pending: PendingFlush = {
        records,
        succeed: () => {
          for (const [p, offset] of positions) this.committed.set(p, offset);
          resolve({ committedTables: ['edges'], edgeRows: records.length, nodeRows: 0, rejectedRows: 0, durationMs: 1 });
        },
        fail: reject,
      };
      this.flushes.push(pending);
      if (this.autoSettle) pending.succeed();
    });
  }
}

/** The consumer: partition logs in memory, a fetch position per partition, seeks that make fetched batches stale. */
class FakeConsumer implements IngestSource {
  readonly seeks: Array<[partition: number, offset: number]> = [];
  readonly groupOffsets = new Map<number, number>();
  readonly dlq: RejectedRecord[] = [];
  /** Per partition, the broker's end offset. */
  readonly ends = new Map<number, number>();
  private readonly positions = new Map<number, number>();
  private readonly seekGeneration = new Map<number, number>();

  constructor(private readonly events: Event[]) {}

  seek(partition: number, offset: number): void {
    this.seeks.push([partition, offset]);
    this.positions.set(partition, offset);
    this.seekGeneration.set(partition, (this.seekGeneration.get(partition) ?? 0) + 1);
  }

  async commitOffsets(next: ReadonlyMap<number, number>): Promise<void> {
    for (const [p, offset] of next) this.groupOffsets.set(p, offset);
    this.events.push('group offsets');
  }

  async endOffsets(): Promise<Map<number, number>> {
    return new Map(this.ends);
  }

  async sendRejected(rejected: readonly RejectedRecord[]): Promise<void> {
    this.dlq.push(...rejected);
    this.events.push(`dlq ${rejected.length}`);
  }

  /** The next `count` offsets of `partition` from its position (or from `from`, a batch that skips records). */
  fetch(partition: number, count: number, from = this.positions.get(partition) ?? 0): FetchedBatch {
    const generation = this.seekGeneration.get(partition) ?? 0;
    const offsets = Array.from({ length: count }, (_, i) => from + i);
    return {
      partition,
      size: count,
      record: (i) => record(partition, offsets[i]!),
      highWatermark: this.ends.get(partition) ?? 0,
      isStale: () => (this.seekGeneration.get(partition) ?? 0) !== generation,
      resolve: () => this.positions.set(partition, from + count),
    };
  }
}

const running: IngestScheduler[] = [];
afterEach(async () => {
  for (const scheduler of running.splice(0)) {
    scheduler.stop();
    await scheduler.close();
  }
});

function setUp(options: Partial<IngestSchedulerOptions> = {}) {
  const events: Event[] = [];
  const job = new FakeJob(events);
  const consumer = new FakeConsumer(events);
  const metrics = new IngestMetrics();
  const logged: string[] = [];
  const scheduler = new IngestScheduler({
    job,
    source: consumer,
    commitIntervalMs: 60_000,
    metrics,
    log: (_level, msg) => logged.push(msg),
    flushBackoff: { baseMs: 1, maxMs: 1 },
    ...options,
  });
  running.push(scheduler);
  scheduler.start();
  return { events, job, consumer, metrics, logged, scheduler };
}

/** Resolves once `condition` holds; fails naming `what` after two seconds. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within 2 s: ${what}`);
    await sleep(5);
  }
}

describe('ingest scheduler', () => {
  it('an assignment reloads the job and seeks each partition to where the lake says; a batch fetched before is skipped', async () => {
    const { job, consumer, metrics, scheduler } = setUp();
    job.committed.set(0, 5);
    const early = consumer.fetch(0, 3);
    scheduler.assign([0, 1]);
    await scheduler.batch(early);
    assert.equal(job.reloads, 1);
    assert.equal(metrics.rebalances, 1);
    assert.deepEqual(consumer.seeks, [[0, 5], [1, 0]]);
    assert.equal(job.pendingRecords, 0, 'the early batch predates the seeks');
    await scheduler.batch(consumer.fetch(0, 4));
    await scheduler.batch(consumer.fetch(1, 2));
    assert.equal(job.pendingRecords, 6);
    assert.equal(metrics.lag.get(0), 0);
  });

  it('a rebalance commits what was read when it starts; a partition kept is not re-read, one taken starts where the lake is', async () => {
    const { events, job, consumer, metrics, scheduler } = setUp();
    scheduler.assign([0, 1]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 6));
    await scheduler.batch(consumer.fetch(1, 4));
    job.committed.set(2, 30); // another member's
    scheduler.rebalancing();
    await until('the window committed as the rebalance starts', () => job.committed.get(0) === 6 && job.committed.get(1) === 4);
    scheduler.assign([0, 2]);
    await scheduler.batch(consumer.fetch(0, 0));
    assert.equal(job.reloads, 1, 'only the first assignment reloads');
    assert.equal(metrics.rebalances, 2);
    assert.deepEqual(consumer.seeks.slice(-2), [[0, 6], [2, 30]], 'the kept partition reads on from where it was, the taken one from the lake');
    await scheduler.batch(consumer.fetch(0, 3));
    await scheduler.batch(consumer.fetch(2, 2));
    assert.equal(job.pendingRecords, 5, 'nothing read twice');
    assert.deepEqual(events.filter((e) => e.startsWith('flush')), ['flush 10'], 'nothing left to commit at the assignment');
  });

  it('records handled after a rebalance began are committed at the assignment; after a failed flush the assignment re-reads from the lake', async () => {
    const { job, consumer, metrics, scheduler } = setUp();
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 5));
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    assert.equal(job.committed.get(0), 5);
    assert.deepEqual(consumer.seeks.at(-1), [0, 5]);
    assert.equal(job.reloads, 1);
    job.autoSettle = false;
    await scheduler.batch(consumer.fetch(0, 3));
    scheduler.rebalancing();
    await until('the rebalance flush', () => job.flushes.length === 2);
    job.flushes[1]!.fail(new OffsetFenceError('taken'));
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    assert.equal(job.reloads, 2, 'the failed window is re-read from the lake');
    assert.equal(metrics.offsetFences, 1);
    assert.deepEqual(consumer.seeks.at(-1), [0, 5]);
  });

  it('a batch made stale by a seek while it waited is skipped', async () => {
    const { job, consumer, scheduler } = setUp();
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    const stale = consumer.fetch(0, 3);
    consumer.seek(0, 0);
    await scheduler.batch(stale);
    assert.equal(job.pendingRecords, 0);
  });

  it('flushes in the background at the commit interval, one at a time; a full window waits for the flush in flight', async () => {
    const { events, job, consumer, scheduler } = setUp({ commitIntervalMs: 20 });
    job.autoSettle = false;
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 5));
    await until('the interval flush', () => job.flushes.length === 1);
    // The interval passes again while the first flush writes: the window keeps filling.
    await scheduler.batch(consumer.fetch(0, 5));
    await sleep(250);
    assert.equal(job.flushes.length, 1, 'no second flush while one is in flight');
    job.capacity = 8;
    let fullBatchDone = false;
    const full = scheduler.batch(consumer.fetch(0, 5)).then(() => (fullBatchDone = true));
    await sleep(150);
    assert.equal(fullBatchDone, false, 'a full window waits for the flush in flight (backpressure)');
    job.flushes[0]!.succeed();
    await full;
    await until('the full window flushed', () => job.flushes.length === 2);
    assert.deepEqual(job.flushes[1]!.records.map((r) => r.offset), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    job.flushes[1]!.succeed();
    await until('the group offsets of the second flush', () => consumer.groupOffsets.get(0) === 15);
    assert.deepEqual(events.slice(0, 3), ['dlq 0', 'flush 5', 'group offsets']);
  });

  it('a gap seeks back to the offset the job expects; after three seeks in a row the records count as gone and the run fails', async () => {
    const { job, consumer, scheduler } = setUp();
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 3));
    for (let seek = 1; seek <= 3; seek++) {
      await scheduler.batch(consumer.fetch(0, 2, 7));
      assert.deepEqual(consumer.seeks.at(-1), [0, 3], `seek back ${seek}`);
    }
    assert.equal(job.pendingRecords, 3);
    await scheduler.batch(consumer.fetch(0, 2, 7));
    await scheduler.stopped;
    assert.throws(() => scheduler.outcome(), /offsets 3\.\.6 are gone from Kafka/);
  });

  it('a gap that a seek fixes resets the count', async () => {
    const { job, consumer, scheduler } = setUp();
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    for (let round = 0; round < 5; round++) {
      await scheduler.batch(consumer.fetch(0, 1, 100));
      await scheduler.batch(consumer.fetch(0, 1));
    }
    assert.equal(job.pendingRecords, 5);
    assert.equal(await Promise.race([scheduler.stopped.then(() => 'stopped'), sleep(20).then(() => 'running')]), 'running');
  });

  it('a failed flush re-reads from the lake after a backoff; a fence re-reads at once; eight failures in a row end the run', async () => {
    const { job, consumer, metrics, scheduler } = setUp({ commitIntervalMs: 10 });
    job.autoSettle = false;
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    job.committed.set(0, 0);
    await scheduler.batch(consumer.fetch(0, 4));
    await until('a flush', () => job.flushes.length === 1);
    job.flushes[0]!.fail(new OffsetFenceError('taken'));
    await until('the re-read after the fence', () => job.reloads === 2);
    assert.equal(metrics.offsetFences, 1);
    assert.deepEqual(consumer.seeks.at(-1), [0, 0], 'sought back to the lake');
    for (let failure = 1; failure <= 8; failure++) {
      await scheduler.batch(consumer.fetch(0, 4));
      await until(`flush ${failure + 1}`, () => job.flushes.length === failure + 1);
      job.flushes[failure]!.fail(new Error(`disk full ${failure}`));
      if (failure < 8) await until(`the re-read after failure ${failure}`, () => job.reloads === failure + 2);
    }
    await scheduler.stopped;
    assert.equal(metrics.flushFailures, 8);
    assert.throws(() => scheduler.outcome(), /disk full 8/);
  });

  it('idle stops only once every partition is read to the broker end and everything read is committed', async () => {
    const { job, consumer, logged, scheduler } = setUp({ commitIntervalMs: 10, exitWhenIdleMs: 60 });
    consumer.ends.set(0, 10);
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 6));
    await until('told quiet is not the end', () => logged.includes('quiet but not read to the end; not idle yet'));
    assert.equal(job.committed.get(0), 6);
    await scheduler.batch(consumer.fetch(0, 4));
    await scheduler.stopped;
    assert.equal(scheduler.outcome(), 'idle');
    assert.equal(job.committed.get(0), 10);
  });

  it('is never idle between the start of a rebalance and its assignment', async () => {
    const { consumer, scheduler } = setUp({ commitIntervalMs: 10, exitWhenIdleMs: 60 });
    consumer.ends.set(0, 4);
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 4));
    scheduler.rebalancing();
    assert.equal(await Promise.race([scheduler.stopped.then(() => 'stopped'), sleep(400).then(() => 'running')]), 'running');
    scheduler.assign([0]);
    await scheduler.stopped;
    assert.equal(scheduler.outcome(), 'idle');
  });

  it('stop sends the last window\'s rejects to the DLQ before it flushes, and commits the window', async () => {
    const { events, job, consumer, scheduler } = setUp();
    scheduler.assign([0]);
    await scheduler.batch(consumer.fetch(0, 0));
    await scheduler.batch(consumer.fetch(0, 20));
    scheduler.stop();
    await scheduler.stopped;
    await scheduler.drain();
    assert.equal(scheduler.outcome(), 'signal');
    assert.deepEqual(events, ['dlq 2', 'flush 20', 'group offsets']);
    assert.deepEqual(consumer.dlq.map((r) => r.offset), [9, 19]);
    assert.equal(job.committed.get(0), 20);
    await scheduler.batch(consumer.fetch(0, 5));
    assert.equal(job.pendingRecords, 0, 'nothing is taken after the stop');
  });
});
