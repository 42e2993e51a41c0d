/**
 * Ingest throughput of one process against the real broker: pre-fills a fresh 4-partition
 * topic with generated events, measures the raw kafkajs consume rate of that topic (the
 * ceiling), then the end-to-end rate of a topic job to the committed snapshot.
 *
 *   node dist/bench/ingest.js [events=2000000]     (broker from LAKEGRAPH_BROKERS)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../src/lake/scan/plan-files.js';
import { NAMESPACE } from '../src/lake/tables.js';
import { RecordGenerator } from '../src/stream/generator/record-generator.js';
import { openGraphTables } from '../src/stream/job/graph-tables.js';
import { TopicJob } from '../src/stream/job/topic-job.js';
import { createKafka } from '../src/stream/kafka/kafka-client.js';
import { KafkaTopicIngest } from '../src/stream/kafka/kafka-topic-ingest.js';
import { produceRecords } from '../src/stream/kafka/produce-records.js';
import { dlqTopicOf, ensureTopic } from '../src/stream/kafka/topic-admin.js';
import { IngestMetrics } from '../src/stream/metrics/ingest-metrics.js';
import { jsonLog } from '../src/stream/metrics/json-log.js';

const EVENTS = Number(process.argv[2] ?? 2_000_000);
const PARTITIONS = 4;
const CONTRACT = 'app.playback';
const brokers = (process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092').split(',');
const log = jsonLog('warn', (line) => process.stderr.write(line));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function prefill(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, PARTITIONS);
  await ensureTopic(admin, dlqTopicOf(topic), 1);
  await admin.disconnect();
  const started = performance.now();
  const generator = new RecordGenerator({ events: EVENTS, seed: 1, topics: [CONTRACT], partitions: PARTITIONS, maxOversize: 0 });
  await produceRecords(kafka, topic, generator);
  console.log(`prefill: ${fmt(EVENTS)} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Records/s of a bare eachBatch consumer that only counts. */
async function rawConsumeRate(kafka: Kafka, topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${Date.now()}`, maxBytes: 16 << 20, maxBytesPerPartition: 4 << 20, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        seen += batch.messages.length;
        if (seen >= EVENTS) resolve(performance.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  return EVENTS / ((end - first) / 1000);
}

async function endToEnd(kafka: Kafka, topic: string, warehouse: string) {
  const job = new TopicJob(topic, await openGraphTables(new FilesystemCatalog(warehouse)), { contract: CONTRACT });
  const metrics = new IngestMetrics();
  const ingest = new KafkaTopicIngest({ kafka, job, groupId: `bench-ingest-${Date.now()}`, commitIntervalMs: 2_000, metrics, log });
  const started = performance.now();
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const running = ingest.run();
  // Every record read and no window pending means the last window is taken; once the
  // flush writing it in the background is done, all of it is in a snapshot.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (job.counters.records >= EVENTS && job.pendingRecords === 0) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  await job.idle;
  const committedAt = performance.now();
  const mainThreadBusy = performance.eventLoopUtilization(loopBefore).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  if (metrics.flushFailures > 0 || metrics.offsetFences > 0) throw new Error(`flushes failed (${metrics.flushFailures}) or were fenced (${metrics.offsetFences}); the figure would include re-reads`);
  ingest.stop();
  await running;
  return { seconds: (committedAt - started) / 1000, counters: job.counters, metrics, mainThreadBusy, cpuMicros: cpu.user + cpu.system };
}

/** Rows each table got per record read and their bytes per row in Parquet: what sizing a lake starts from. */
async function lakeFootprint(warehouse: string): Promise<string> {
  const catalog = new FilesystemCatalog(warehouse);
  const parts: string[] = [];
  for (const name of ['edges', 'nodes'] as const) {
    const { files } = await planFiles(catalog.io, await catalog.loadTable({ namespace: [NAMESPACE], name }));
    const rows = files.reduce((sum, f) => sum + Number(f.recordCount), 0);
    const bytes = files.reduce((sum, f) => sum + Number(f.fileSizeInBytes), 0);
    parts.push(`${name} ${fmt(rows)} rows (${(rows / EVENTS).toFixed(2)} per record), ${(bytes / 2 ** 20).toFixed(1)} MiB in ${files.length} files (${(bytes / rows).toFixed(1)} B/row)`);
  }
  return parts.join('; ');
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const kafka = createKafka(brokers, 'lakegraph-bench', log);
  const topic = `bench.ingest.${Date.now().toString(36)}`;
  const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-bench-ingest-'));
  try {
    await prefill(kafka, topic);
    const raw = await rawConsumeRate(kafka, topic);
    console.log(`raw kafkajs eachBatch consume: ${fmt(raw)} records/s`);
    const { seconds, counters, metrics, mainThreadBusy, cpuMicros } = await endToEnd(kafka, topic, warehouse);
    const rate = EVENTS / seconds;
    console.log(`end to end (read → committed snapshot): ${fmt(rate)} records/s  (${seconds.toFixed(1)} s, ${((100 * rate) / raw).toFixed(0)}% of raw)`);
    console.log(`dedup ratio: ${((100 * counters.duplicates) / counters.accepted).toFixed(2)}% of accepted  (late re-deliveries beyond the horizon: ${fmt(counters.late)})`);
    // A busy share below ~100% means the consuming thread waited (for a flush) rather than worked.
    console.log(`consuming thread busy ${(100 * mainThreadBusy).toFixed(0)}% of the time; CPU of all threads ${(cpuMicros / EVENTS).toFixed(1)} µs/record`);
    console.log(`commits: ${metrics.commits} flushes, mean ${((1000 * metrics.commitSecondsSum) / Math.max(1, metrics.commits)).toFixed(0)} ms, max ${(1000 * metrics.commitSecondsMax).toFixed(0)} ms; snapshots ${counters.snapshots}`);
    console.log(`lake: ${await lakeFootprint(warehouse)}`);
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopicOf(topic)] }).catch(() => {});
    await admin.disconnect();
    await rm(warehouse, { recursive: true, force: true });
  }
}

await main();
