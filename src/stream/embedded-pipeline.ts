/**
 * The whole stream stage in one process, fed by the generator instead of Kafka: one
 * TopicJob per topic (as in production), all partitions assigned, flushed together
 * every commit interval or as soon as a job's window is full.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Catalog } from '../lake/catalog/catalog.js';
import type { RecordGenerator } from './generator/record-generator.js';
import { openGraphTables } from './job/graph-tables.js';
import { GENERATOR_SOURCE } from './job/source-positions.js';
import { TopicJob, type JobCounters, type TopicJobOptions } from './job/topic-job.js';

export interface EmbeddedRunOptions {
  readonly catalog: Catalog;
  /** Default `graph`. */
  readonly namespace?: string;
  readonly generator: RecordGenerator;
  readonly topics: readonly string[];
  readonly partitions: number;
  readonly commitIntervalMs: number;
  readonly job?: TopicJobOptions;
  readonly onProgress?: (totals: JobCounters, elapsedMs: number) => void;
}

const CHUNK = 20_000;

export function sumCounters(jobs: Iterable<TopicJob>): JobCounters {
  const total: JobCounters = { records: 0, accepted: 0, rejected: 0, forgotten: 0, duplicates: 0, late: 0, lateDuplicates: 0, snapshots: 0, edgeRows: 0, nodeRows: 0 };
  for (const job of jobs) for (const key of Object.keys(total) as Array<keyof JobCounters>) total[key] += job.counters[key];
  return total;
}

export async function runEmbeddedPipeline(options: EmbeddedRunOptions): Promise<JobCounters> {
  const started = performance.now();
  const partitions = Array.from({ length: options.partitions }, (_, i) => i);
  const jobs = new Map<string, TopicJob>();
  for (const topic of options.topics) {
    // Each job holds its own table handles, as separate processes would.
    const job = new TopicJob(topic, await openGraphTables(options.catalog, options.namespace), { ...options.job, source: GENERATOR_SOURCE });
    await job.reload();
    job.assign(partitions);
    jobs.set(topic, job);
  }
  // A flush writes in the background while generation goes on; at most one waits per job,
  // and a failed one resurfaces at that job's next flush (see TopicJob.flush).
  const flushInBackground = async (job: TopicJob) => {
    await job.idle;
    job.flush().catch(() => {});
  };
  const flushAll = async () => {
    for (const job of jobs.values()) if (job.pendingRecords > 0) await flushInBackground(job);
  };
  let lastFlush = performance.now();
  let done = false;
  while (!done) {
    for (let i = 0; i < CHUNK; i++) {
      const record = options.generator.next();
      if (record === null) {
        done = true;
        break;
      }
      const job = jobs.get(record.topic);
      if (job === undefined) throw new Error(`generator produced a record for unexpected topic ${record.topic}`);
      job.process(record);
      if (job.isFull()) await flushInBackground(job);
    }
    if (performance.now() - lastFlush >= options.commitIntervalMs) {
      await flushAll();
      lastFlush = performance.now();
    }
    options.onProgress?.(sumCounters(jobs.values()), performance.now() - started);
    await yieldToEventLoop();
  }
  for (const job of jobs.values()) await job.flush();
  const totals = sumCounters(jobs.values());
  options.onProgress?.(totals, performance.now() - started);
  return totals;
}
