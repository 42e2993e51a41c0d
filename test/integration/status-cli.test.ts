/**
 * `lakegraph status` as a real process, against a warehouse whose state the test knows
 * (a real ingest of a produced batch, then a compaction) and the real broker, where a
 * second batch was produced and not ingested: the tables, snapshots, live files and
 * committed offsets match the metadata, and the lag per partition is exactly the second
 * batch. Also the human output, and the output when no broker answers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseJson } from '../../src/common/lossless-json.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { currentSnapshot } from '../../src/lake/spec/table-metadata.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { TABLE_NAMES } from '../../src/lake/tables.js';
import { positionsOf } from '../../src/stream/job/source-positions.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { highWatermarks } from '../../src/stream/kafka/end-offsets.js';
import { ensureTopic } from '../../src/stream/kafka/topic-admin.js';
import { BROKERS, startIngest, testKafka, uniqueName } from '../support/ingest-harness.js';
import { loadMetadata, PARTITIONS, untilCommitted } from './compact-fixtures.js';
import { runCli } from '../support/cli-process.js';

const CONTRACT = 'app.session';
const INGESTED = 2_000;
const NOT_INGESTED = 400;

interface StatusJson {
  tables: Array<{
    table: string;
    exists: boolean;
    snapshots: number;
    /** A JSON integer of up to 64 bits: a bigint from parseJson beyond 2^53. */
    current: { snapshotId: number | bigint; operation: string } | undefined;
    liveDataFiles: number;
    liveBytes: number;
    liveRecords: number;
    offsets: Record<string, Record<string, number>>;
    sources: Record<string, string>;
  }>;
  kafka: { brokers: string[]; asked: boolean; reachable?: boolean; clusterId?: string; reason?: string };
  partitions: Array<{ topic: string; partition: number; source: string | null; committed: Record<string, number | null>; endOffset: number | null; lag: number | null }>;
}

const kafka = testKafka();
const admin = kafka.admin();
await admin.connect();
const warehouse = await mkdtemp(join(tmpdir(), 'status-cli-'));
after(async () => {
  await admin.disconnect();
  await rm(warehouse, { recursive: true, force: true });
});

const { clusterId } = await admin.describeCluster();
const topic = uniqueName(`it.status.${CONTRACT}`);
const endOffsets = () => highWatermarks(admin, topic);
const generated = (events: number, seed: number) => new RecordGenerator({ events, seed, topics: [CONTRACT], partitions: PARTITIONS, badRatio: 0.02 });

assert.equal(await ensureTopic(admin, topic, PARTITIONS), PARTITIONS);
const ingest = startIngest(['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--commit-interval-ms', '300']);
await ingest.waitFor('partitions assigned');
// Produced over ~2 s, so ingest commits several times and compaction has files to merge.
await produceRecords(kafka, topic, generated(INGESTED, 1), { rate: 1_000 });
const ingestedEnds = await endOffsets();
await untilCommitted(warehouse, topic, ingestedEnds);
ingest.child.kill('SIGTERM');
assert.equal((await ingest.exited).code, 0);
const compacted = await runCli(['compact', '--warehouse', warehouse]);
assert.equal(compacted.code, 0, compacted.stderr);
await produceRecords(kafka, topic, generated(NOT_INGESTED, 2));
const ends = await endOffsets();

test('status --json: tables, snapshots, files and offsets as in the metadata; lag = end − committed', { timeout: 60_000 }, async () => {
  const run = await runCli(['status', '--json', '--warehouse', warehouse, '--brokers', BROKERS]);
  assert.equal(run.code, 0, run.stderr);
  const status = parseJson(run.stdout) as StatusJson;
  assert.deepEqual(status.kafka, { brokers: BROKERS.split(','), asked: true, reachable: true, clusterId });

  const catalog = new FilesystemCatalog(warehouse);
  assert.deepEqual(status.tables.map((t) => t.table), TABLE_NAMES);
  for (const shown of status.tables) {
    const metadata = await loadMetadata(warehouse, shown.table as (typeof TABLE_NAMES)[number]);
    const snapshot = currentSnapshot(metadata);
    assert.ok(snapshot, `${shown.table} has a snapshot`);
    const { files } = await planFiles(catalog.io, metadata);
    assert.equal(shown.exists, true);
    assert.equal(shown.snapshots, metadata.snapshots.length, `${shown.table}: snapshots`);
    assert.deepEqual(shown.current && [BigInt(shown.current.snapshotId), shown.current.operation], [snapshot['snapshot-id'], snapshot.summary.operation]);
    assert.equal(shown.liveDataFiles, files.length, `${shown.table}: live data files`);
    assert.equal(shown.liveRecords, Number(files.reduce((n, f) => n + f.recordCount, 0n)), `${shown.table}: live records`);
    assert.equal(shown.liveBytes, Number(files.reduce((n, f) => n + f.fileSizeInBytes, 0n)), `${shown.table}: live bytes`);
    assert.deepEqual(shown.offsets[topic], Object.fromEntries(positionsOf(snapshot.summary, topic).offsets), `${shown.table}: committed offsets`);
    assert.equal(shown.sources[topic], `kafka:${clusterId}`, `${shown.table}: ingest recorded the cluster its offsets count in`);
  }
  // The compaction ran last on edges and nodes (a replace carries the offsets forward).
  assert.equal(status.tables.find((t) => t.table === 'edges')!.current!.operation, 'replace');

  assert.deepEqual(status.partitions.map((p) => p.partition), [...ends.keys()].sort());
  let lag = 0;
  for (const p of status.partitions) {
    assert.equal(p.topic, topic);
    assert.equal(p.source, `kafka:${clusterId}`);
    assert.equal(p.endOffset, ends.get(p.partition));
    // edges and nodes took in everything ingest read: the first batch, to its end.
    assert.equal(p.committed['edges'], ingestedEnds.get(p.partition), `edges offset of partition ${p.partition}`);
    assert.equal(p.committed['nodes'], ingestedEnds.get(p.partition), `nodes offset of partition ${p.partition}`);
    assert.equal(p.lag, ends.get(p.partition)! - ingestedEnds.get(p.partition)!, `lag of partition ${p.partition}`);
    lag += p.lag!;
  }
  assert.equal(lag, NOT_INGESTED, 'the lag is the batch produced after ingest stopped');
});

test('status for people: a table line per graph table, an offsets and lag line per partition', { timeout: 60_000 }, async () => {
  const run = await runCli(['status', '--warehouse', warehouse, '--brokers', BROKERS]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  const edges = await loadMetadata(warehouse, 'edges');
  assert.match(lines.find((l) => l.startsWith('graph.edges'))!, new RegExp(`^graph\\.edges\\s+${edges.snapshots.length}\\s+${currentSnapshot(edges)!['snapshot-id']} replace at `));
  for (const [partition, end] of ends) {
    const committed = ingestedEnds.get(partition)!;
    const row = lines.find((l) => l.startsWith(`${topic} `) && l.split(/\s+/)[1] === String(partition));
    assert.ok(row, `a line for ${topic}[${partition}]:\n${run.stdout}`);
    // topic, partition, source, the three tables' offsets, end offset, lag
    const cells = row.trim().split(/\s+/);
    assert.deepEqual([cells[2], cells[3], cells[4], cells.at(-2), cells.at(-1)], [`kafka:${clusterId}`, String(committed), String(committed), String(end), String(end - committed)], row);
  }
  assert.ok(lines.some((l) => l.startsWith(`Kafka: asked ${BROKERS} (cluster ${clusterId})`)), run.stdout);
});

test('status without a reachable broker: offsets still shown, lag unknown, exit 0', { timeout: 60_000 }, async () => {
  const run = await runCli(['status', '--json', '--warehouse', warehouse, '--brokers', '127.0.0.1:1']);
  assert.equal(run.code, 0, run.stderr);
  const status = parseJson(run.stdout) as StatusJson;
  assert.equal(status.kafka.reachable, false);
  assert.ok(status.partitions.length > 0);
  for (const p of status.partitions) {
    assert.deepEqual([p.endOffset, p.lag], [null, null]);
    assert.equal(p.committed['edges'], ingestedEnds.get(p.partition));
  }
});
