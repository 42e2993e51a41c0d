/**
 * `lakegraph backfill`: replays an archive of one topic's raw Kafka records (JSON lines
 * or Parquet, a file, a directory or an s3:// prefix) into the graph tables through the
 * ingest path, exactly once and resumable (src/stream/archive/archive-backfill.ts).
 */
import { runBackfill, type BackfillProgress } from '../stream/archive/archive-backfill.js';
import { ArchiveFormatError } from '../stream/archive/archive-format.js';
import { ArchiveNotFoundError, listArchive } from '../stream/archive/archive-files.js';
import { openGraphTables } from '../stream/job/graph-tables.js';
import { TopicJob } from '../stream/job/topic-job.js';
import { withOwnConnections } from '../stream/kafka/kafka-client.js';
import { DlqProducer } from '../stream/kafka/dlq-producer.js';
import { dlqTopicOf, ensureTopic } from '../stream/kafka/topic-admin.js';
import { jsonLog } from '../stream/metrics/json-log.js';
import { UsageError } from './args.js';
import { BROKERS_FLAG, kafkaFromFlags } from './broker-flags.js';
import { KAFKA_SECURITY_FLAGS } from './kafka-security-flags.js';
import { catalogFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';
import { exitRegardlessAfter } from './exit-regardless.js';
import { ProgressLine } from './progress-line.js';
import { crashSwitch } from './test-crash-switch.js';
import { topicAndContractFromFlags, topicFlags } from './topic-flags.js';

const EXIT_GRACE_MS = 5_000;
/** Partitions shown on the progress line; the rest are summarised. */
const SHOWN_PARTITIONS = 8;

function statusLine(p: BackfillProgress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(p.read / seconds) : 0;
  const offsets = [...p.next].sort(([a], [b]) => a - b);
  const shown = offsets.slice(0, SHOWN_PARTITIONS).map(([partition, offset]) => `${partition}:${offset}`).join(' ');
  const more = offsets.length > SHOWN_PARTITIONS ? ` +${offsets.length - SHOWN_PARTITIONS} partitions` : '';
  return (
    `${n(p.read)} records  ${n(rate)}/s  already in lake ${n(p.alreadyInLake)}  accepted ${n(p.job.accepted)}  rejected ${n(p.job.rejected)}  ` +
    `duplicates ${n(p.job.duplicates)}  snapshots ${p.job.snapshots}  file ${p.fileIndex}/${p.files}  next offsets ${shown}${more}` +
    `${p.rescans > 0 ? `  rescans ${p.rescans}` : ''}  ${seconds.toFixed(0)}s`
  );
}

export const backfillCommand: Command = {
  name: 'backfill',
  summary: "Replay an archive of a topic's raw Kafka records (JSON lines or Parquet) into the graph tables, exactly once.",
  usage: 'lakegraph backfill --topic T --from FILE|DIR|s3://B/P [--contract C] [--warehouse DIR | --catalog-uri URL] [--brokers H:P] [--commit-interval-ms N]',
  flags: [
    ...topicFlags('the Kafka topic whose records to replay (records of other topics in the archive are ignored)'),
    { name: 'from', kind: 'string', placeholder: 'FILE|DIR|s3://B/P', help: 'the archive: a .jsonl/.ndjson/.json or .parquet file, or a directory or prefix of them (read in name order)' },
    ...WAREHOUSE_FLAGS,
    { ...BROKERS_FLAG, default: undefined, help: 'Kafka brokers for <topic>.dlq; without it (or LAKEGRAPH_BROKERS) rejects go to graph.rejected_events only' },
    ...KAFKA_SECURITY_FLAGS,
    { name: 'commit-interval-ms', kind: 'int', placeholder: 'N', default: 2_000, help: 'commit at least this often while records are read' },
  ],
  async run(flags) {
    const { topic, contract } = topicAndContractFromFlags(flags);
    const from = flags['from'] as string | undefined;
    if (!from) throw new UsageError('--from is required: an archive file, directory or s3:// prefix');
    const commitIntervalMs = flags['commit-interval-ms'] as number;
    if (commitIntervalMs < 1) throw new UsageError('--commit-interval-ms must be at least 1');
    const toDlq = flags['brokers'] !== undefined;
    const crash = crashSwitch(process.env['LAKEGRAPH_TEST_CRASH_AT']);
    let files;
    try {
      files = await listArchive(from);
    } catch (error) {
      if (error instanceof ArchiveNotFoundError) throw new UsageError(error.message);
      throw error;
    }
    const catalog = await catalogFromFlags(flags);
    const job = new TopicJob(topic, await openGraphTables(catalog), { contract, onFlushPoint: crash });
    const progress = new ProgressLine();
    const log = jsonLog('warn');
    const replay = async (dlq: DlqProducer | undefined) =>
      runBackfill({ job, files, commitIntervalMs, sendRejected: dlq && ((rejected) => dlq.send(rejected)), onProgress: (p) => progress.update(statusLine(p)) });

    try {
      let done: BackfillProgress;
      if (!toDlq) {
        process.stderr.write(`lakegraph backfill: no --brokers (LAKEGRAPH_BROKERS): rejected records go to graph.rejected_events only, not to ${dlqTopicOf(topic)}\n`);
        done = await replay(undefined);
      } else {
        done = await withOwnConnections(async () => {
          const kafka = await kafkaFromFlags(flags, `lakegraph-backfill-${topic}`, log);
          const admin = kafka.admin();
          await admin.connect();
          try {
            await ensureTopic(admin, dlqTopicOf(topic), 1);
          } finally {
            await admin.disconnect();
          }
          const dlq = new DlqProducer(kafka, topic, log);
          try {
            await dlq.connect();
            return await replay(dlq);
          } finally {
            await dlq.close().catch(() => {});
          }
        });
      }
      progress.done(statusLine(done));
      const { read, alreadyInLake, otherTopics, rescans, job: counters } = done;
      process.stdout.write(`${JSON.stringify({ msg: 'backfill done', topic, from, files: files.length, read, alreadyInLake, otherTopics, rescans, ...counters })}\n`);
      return 0;
    } catch (error) {
      exitRegardlessAfter(EXIT_GRACE_MS, 1);
      // The archive is what is wrong (exit 2); a gap in it is a runtime failure after a partial commit (exit 1).
      if (error instanceof ArchiveFormatError || error instanceof ArchiveNotFoundError) throw new UsageError(error.message);
      throw error;
    }
  },
};
