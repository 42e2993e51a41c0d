/**
 * Replays an archive of one topic's raw Kafka records through the topic job that live
 * ingest uses (decode → validate → dedup → map → flush window → commit), so the lake
 * cannot tell a backfilled record from one ingest read from Kafka.
 *
 * The archive's records keep their Kafka (partition, offset), so the job's exactly-once
 * machinery applies unchanged: each partition starts where the lake stands (the replay
 * point, `TopicJob.assign`), records below it are skipped, records between it and the
 * committed offset only rebuild the dedup state, and every commit stores the next offset
 * per partition in the snapshot summary. A killed backfill therefore resumes where its
 * last commit ended, and a second run finds nothing to add. A live ingest of the same
 * topic committing the same partitions meanwhile fences this job's commit (OffsetFenceError):
 * the backfill then reloads and scans the archive again from the top, skipping what the
 * lake now holds — and live ingest, fenced by a backfill commit, re-seeks past it. So every
 * offset is written by exactly one of them (docs/INGEST.md, "Backfill from an archive").
 *
 * Each partition's records must come in offset order through the files in name order;
 * an offset seen again is a duplicate the mirror wrote twice and is skipped, a jump over
 * offsets neither the lake nor the archive holds is an ArchiveGapError (after committing
 * what came before it), since committing past it would claim records never read.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { JobCounters, TopicJob } from '../job/topic-job.js';
import { OffsetFenceError } from '../commit/contribution.js';
import { BackgroundFlush } from '../job/background-flush.js';
import type { RejectedRecord } from '../window/rejected-buffer.js';
import { readArchiveFile, type ArchiveFile } from './archive-files.js';

export interface BackfillOptions {
  readonly job: TopicJob;
  readonly files: readonly ArchiveFile[];
  /** Commit at least this often while records are read. */
  readonly commitIntervalMs: number;
  /** Sends a window's rejects to `<topic>.dlq` before the flush that commits them; absent without a broker. */
  readonly sendRejected?: (rejected: readonly RejectedRecord[]) => Promise<void>;
  /** Called about once a second; the end is what `runBackfill` resolves to. */
  readonly onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  /** Records of the topic read from the archive, over every scan. */
  readonly read: number;
  /** Of those, below where the lake (or this scan) already stood: written before, or a mirror's duplicate. */
  readonly alreadyInLake: number;
  /** Records of other topics in the archive, ignored. */
  readonly otherTopics: number;
  /** Scans started again from the top because another writer committed the same partitions. */
  readonly rescans: number;
  /** The file being read (1-based index) and the number of files. */
  readonly file: string;
  readonly fileIndex: number;
  readonly files: number;
  /** Per partition, the next offset this scan expects. */
  readonly next: ReadonlyMap<number, number>;
  /** The job's own counters: records processed (replayed ones included), accepted, rejected, snapshots, rows. */
  readonly job: JobCounters;
  readonly elapsedMs: number;
}

export class ArchiveGapError extends Error {
  override readonly name = 'ArchiveGapError';

  constructor(partition: number, expected: number, got: number, location: string) {
    super(
      `partition ${partition}: the archive jumps from offset ${expected} to ${got} (in ${location}); offsets ${expected}..${got - 1} are neither in the lake nor in the archive. ` +
        'Everything before the gap is committed; add the missing records to the archive (each partition in offset order through the files in name order) and run again',
    );
  }
}

/** Records between looks at the clock, the background flush and the event loop. */
const CHECK_EVERY = 5_000;
const PROGRESS_EVERY_MS = 1_000;

export async function runBackfill(options: BackfillOptions): Promise<BackfillProgress> {
  const { job, files, commitIntervalMs, sendRejected, onProgress } = options;
  const started = performance.now();
  let read = 0;
  let alreadyInLake = 0;
  let otherTopics = 0;
  let rescans = 0;
  let fileIndex = 0;
  /** Per partition (sparse), the next offset of the current scan; undefined until the partition's first record. */
  let next: number[] = [];
  const background = new BackgroundFlush();

  const progress = (): BackfillProgress => ({
    read, alreadyInLake, otherTopics, rescans,
    file: files[Math.max(0, fileIndex - 1)]!.location, fileIndex, files: files.length,
    next: new Map(next.flatMap((offset, partition) => (offset === undefined ? [] : [[partition, offset] as const]))),
    job: job.counters,
    elapsedMs: performance.now() - started,
  });
  const throwIfFailed = () => {
    if (background.failure !== undefined) throw background.failure.error;
  };
  /**
   * Waits for the flush in flight, then takes the window and writes it in the background.
   * Its rejects reach the DLQ first, before the commit that puts them in the table
   * (at-least-once there, as in ingest).
   */
  const startFlush = async (): Promise<void> => {
    await background.settled();
    throwIfFailed();
    if (sendRejected !== undefined && job.pendingRejections.length > 0) await sendRejected(job.pendingRejections);
    background.start(() => job.flush(), async () => {});
  };
  const flushAndWait = async (): Promise<void> => {
    await startFlush();
    await background.settled();
    throwIfFailed();
  };

  const scan = async (): Promise<void> => {
    let lastFlush = performance.now();
    let lastProgress = performance.now();
    let sinceCheck = 0;
    fileIndex = 0;
    for (const file of files) {
      fileIndex++;
      for await (const record of readArchiveFile(file)) {
        if (record.topic !== job.topic) {
          otherTopics++;
          continue;
        }
        read++;
        const { partition, offset } = record;
        const expected = next[partition] ?? (next[partition] = job.assign([partition]).get(partition)!);
        if (offset < expected) {
          alreadyInLake++;
          continue;
        }
        if (offset > expected) {
          await flushAndWait();
          throw new ArchiveGapError(partition, expected, offset, file.location);
        }
        job.process(record);
        next[partition] = offset + 1;
        if (job.isFull()) await startFlush();
        if (++sinceCheck < CHECK_EVERY) continue;
        sinceCheck = 0;
        throwIfFailed();
        const now = performance.now();
        // As in ingest: an interval that ends during a flush does not wait for it; the window keeps filling (only a full one waits).
        if (!background.inFlight && now - lastFlush >= commitIntervalMs && job.pendingRecords > 0) {
          await startFlush();
          lastFlush = performance.now();
        }
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          onProgress?.(progress());
        }
        await yieldToEventLoop();
      }
    }
    await flushAndWait();
  };

  await job.reload();
  for (;;) {
    try {
      await scan();
      break;
    } catch (error) {
      // Another writer (live ingest of the topic, another backfill) committed these partitions first.
      await background.settled();
      const fenced = error instanceof OffsetFenceError || background.failure?.error instanceof OffsetFenceError;
      if (!fenced) throw background.failure?.error ?? error;
      rescans++;
      await job.reload();
      background.forgetFailure();
      next = [];
    }
  }
  return progress();
}
