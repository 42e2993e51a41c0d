/**
 * `lakegraph ingest`: one topic's job fed by a Kafka consumer group, committing to the
 * Iceberg tables until SIGTERM/SIGINT (or the idle limit), then flushing what it holds.
 */
import type { Server } from 'node:http';
import { ProcessMetrics } from '../common/process-metrics.js';
import { openGraphTables } from '../stream/job/graph-tables.js';
import { kafkaSource } from '../stream/job/source-positions.js';
import { TopicJob, type JobCounters } from '../stream/job/topic-job.js';
import { KafkaTopicIngest } from '../stream/kafka/kafka-topic-ingest.js';
import { ControlChannel } from '../stream/kafka/control-channel.js';
import { controlTopicOf, dlqTopicOf, ensureTopic } from '../stream/kafka/topic-admin.js';
import { IngestMetrics } from '../stream/metrics/ingest-metrics.js';
import { jsonLog, LOG_LEVELS, type LogLevel } from '../stream/metrics/json-log.js';
import { boundPort, startMetricsServer } from '../stream/metrics/metrics-server.js';
import { UsageError } from './args.js';
import { brokersFromFlags, KAFKA_FLAGS, kafkaFromFlags } from './broker-flags.js';
import { catalogFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';
import { exitRegardlessAfter } from './exit-regardless.js';
import { hostFlag, listenAddressFromFlags, listenUrl } from './listen-flags.js';
import { ProgressLine } from './progress-line.js';
import { crashSwitch } from './test-crash-switch.js';
import { topicAndContractFromFlags, topicFlags } from './topic-flags.js';

/** How long a failed run may take to close its clients before the process exits regardless. */
const EXIT_GRACE_MS = 5_000;

/** Who commits a group's windows: every member its own, or one member for all (commit/group-committer.ts). */
const COMMITTERS = ['member', 'group'] as const;

/** Partitions of a source topic ingest has to create because nobody produced to it yet. */
const NEW_TOPIC_PARTITIONS = 4;

function statusLine(c: JobCounters, metrics: IngestMetrics, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(c.records / seconds) : 0;
  const dedup = c.accepted > 0 ? ((100 * c.duplicates) / c.accepted).toFixed(2) : '0.00';
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(c.records)} records  ${n(rate)}/s  accepted ${n(c.accepted)}  rejected ${n(c.rejected)}  duplicates ${dedup}%  snapshots ${c.snapshots}  lag ${n(metrics.totalLag())}  ${seconds.toFixed(0)}s`;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Consume one Kafka topic into the graph tables, exactly once, until SIGTERM/SIGINT.',
  usage: 'lakegraph ingest --topic T [--brokers H:P] [--kafka-tls …] [--kafka-sasl-mechanism M …] [--warehouse DIR | --catalog-uri URL] [--group G] [--committer member|group] [--commit-interval-ms N] [--exit-when-idle-ms N] [--metrics-port P [--metrics-host ADDR]]',
  flags: [
    ...topicFlags('the Kafka topic to consume (one process per topic)'),
    ...KAFKA_FLAGS,
    ...WAREHOUSE_FLAGS,
    { name: 'group', kind: 'string', placeholder: 'G', help: 'consumer group (default: lakegraph-ingest.<topic>)' },
    { name: 'commit-interval-ms', kind: 'int', placeholder: 'N', default: 2_000, help: 'commit at least this often while records arrive' },
    { name: 'exit-when-idle-ms', kind: 'int', placeholder: 'N', help: 'exit once no record arrived for N ms and all is committed' },
    {
      name: 'committer',
      kind: 'string',
      placeholder: 'WHO',
      default: 'member',
      help: `${COMMITTERS.join(' or ')}: each member commits its own windows, or one member per group (the one holding partition 0) commits everyone's, once per table and interval, through <topic>.lakegraph-control`,
    },
    { name: 'session-timeout-ms', kind: 'int', placeholder: 'N', default: 30_000, help: 'consumer group session timeout (how soon a dead member’s partitions move)' },
    { name: 'metrics-port', kind: 'int', placeholder: 'P', help: 'serve Prometheus metrics on port P at /metrics (0: any free port)' },
    hostFlag('metrics-host', 'the metrics endpoint'),
    { name: 'log-level', kind: 'string', placeholder: 'L', default: 'info', help: `JSON log level on stdout: ${LOG_LEVELS.join(', ')}` },
  ],
  async run(flags) {
    const { topic, contract } = topicAndContractFromFlags(flags);
    const level = flags['log-level'] as string;
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level: "${level}" is not one of ${LOG_LEVELS.join(', ')}`);
    for (const name of ['commit-interval-ms', 'exit-when-idle-ms', 'session-timeout-ms'] as const) {
      const value = flags[name] as number | undefined;
      if (value !== undefined && value < 1) throw new UsageError(`--${name} must be at least 1`);
    }
    const committer = flags['committer'] as string;
    if (!(COMMITTERS as readonly string[]).includes(committer)) throw new UsageError(`--committer: "${committer}" is not one of ${COMMITTERS.join(', ')}`);
    const metricsAddress = listenAddressFromFlags(flags, 'metrics-host', 'metrics-port');
    const brokers = brokersFromFlags(flags);
    const catalog = await catalogFromFlags(flags);
    const crash = crashSwitch(process.env['LAKEGRAPH_TEST_CRASH_AT']);
    const log = jsonLog(level as LogLevel);

    const kafka = await kafkaFromFlags(flags, `lakegraph-ingest-${topic}`, log);
    const admin = kafka.admin();
    await admin.connect();
    let clusterId: string;
    try {
      await ensureTopic(admin, topic, NEW_TOPIC_PARTITIONS);
      await ensureTopic(admin, dlqTopicOf(topic), 1);
      if (committer === 'group') await ensureTopic(admin, controlTopicOf(topic), 1);
      ({ clusterId } = await admin.describeCluster());
    } finally {
      await admin.disconnect();
    }
    const tables = await openGraphTables(catalog);
    const group = (flags['group'] as string | undefined) ?? `lakegraph-ingest.${topic}`;
    const commitIntervalMs = flags['commit-interval-ms'] as number;
    const sessionTimeoutMs = flags['session-timeout-ms'] as number;
    const control =
      committer === 'group'
        ? // A member waits out the committer's death (a session timeout and a rebalance) before it re-reads on its own.
          new ControlChannel({ kafka, topic, group, tables, commitIntervalMs, outcomeTimeoutMs: 2 * sessionTimeoutMs + 10 * commitIntervalMs, log })
        : undefined;
    const job = new TopicJob(topic, tables, { contract, source: kafkaSource(clusterId), onFlushPoint: crash, committer: control });

    const metrics = new IngestMetrics();
    const ingest = new KafkaTopicIngest({
      kafka,
      job,
      groupId: group,
      commitIntervalMs,
      exitWhenIdleMs: flags['exit-when-idle-ms'] as number | undefined,
      sessionTimeoutMs,
      control,
      metrics,
      log,
      onAssignment: crash && (() => crash('assignment')),
    });
    let server: Server | undefined;
    let metricsUrl: string | undefined;
    const processMetrics = new ProcessMetrics();
    if (metricsAddress !== undefined) {
      processMetrics.start();
      server = await startMetricsServer(metricsAddress.host, metricsAddress.port, () => metrics.render(topic, job.counters, control?.committer) + processMetrics.render());
      metricsUrl = `${listenUrl('http', metricsAddress.host, boundPort(server))}/metrics`;
    }
    const onSignal = () => ingest.stop('signal');
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const started = performance.now();
    const progress = new ProgressLine();
    const status = setInterval(() => progress.update(statusLine(job.counters, metrics, performance.now() - started)), 1_000);
    log('info', 'ingest starting', { topic, contract, brokers, metrics: metricsUrl });
    try {
      const reason = await ingest.run();
      progress.done(statusLine(job.counters, metrics, performance.now() - started));
      log('info', 'ingest stopped', { topic, reason, ...job.counters, ...(control && { groupCommits: Object.fromEntries(control.committer.commits) }) });
      return 0;
    } catch (error) {
      exitRegardlessAfter(EXIT_GRACE_MS, 1);
      throw error;
    } finally {
      clearInterval(status);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      server?.close();
      processMetrics.stop();
    }
  },
};
