/**
 * `lakegraph backfill` against real parts: archives of generated records (JSON lines and
 * Parquet, with events duplicated, bad records, a mirror's repeated lines and another
 * topic's lines), replayed into a filesystem lake; a SIGKILL between two table commits and
 * the resume; a second run that adds nothing; a backfill from s3:// (the shared S3Proxy)
 * running beside a live `lakegraph ingest` of the same topic over an overlapping range.
 * Every lake must equal the oracle.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { fileIOFor } from '../../src/lake/io/file-io-for.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { NAMESPACE, TABLE_NAMES } from '../../src/lake/tables.js';
import { ArchiveGapError, runBackfill } from '../../src/stream/archive/archive-backfill.js';
import { listArchive } from '../../src/stream/archive/archive-files.js';
import { jsonLinesOf, parquetArchiveOf } from '../../src/stream/archive/write-archive.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { TopicJob } from '../../src/stream/job/topic-job.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { runCli } from '../support/cli-process.js';
import {
  assertLakeEqualsOracle, createTopic, endOffsets, oracleOf, readAndCommitted, startIngest, testKafka, uniqueName, withScratch,
} from '../support/ingest-harness.js';

const CONTRACT = 'app.playback';
const PARTITIONS = 2;
const BUCKET = 's3://lakegraph';

let kafka: Kafka;
before(() => {
  kafka = testKafka();
});

/** `spanMs`: event time the records cover; beyond the dedup horizon (10 min), replay points move past offset 0. */
function generated(topic: string, events: number, seed: number, spanMs = 30 * 60_000): SourceRecord[] {
  const records = [...new RecordGenerator({ events, seed, topics: [CONTRACT], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, maxOversize: 0, spanMs, baseTs: Date.UTC(2026, 0, 1) })];
  return records.map((r) => ({ ...r, topic }));
}

const backfill = (args: readonly string[], env: Record<string, string> = {}) => runCli(['backfill', '--contract', CONTRACT, '--commit-interval-ms', '1', ...args], env);

async function snapshotIds(warehouse: string): Promise<Array<unknown>> {
  const catalog = new FilesystemCatalog(warehouse);
  return Promise.all(TABLE_NAMES.map(async (name) => (await catalog.loadTable({ namespace: [NAMESPACE], name }))['current-snapshot-id']));
}

test('bad flags and a missing archive exit 2 in one line naming what is wrong', async () => {
  const cases = [
    [['--from', 'x.jsonl'], '--topic is required'],
    [['--topic', 't'], '--from is required'],
    [['--topic', 't', '--from', '/nonexistent/archive.jsonl'], 'archive /nonexistent/archive.jsonl: no such file or directory'],
    [['--topic', 't', '--from', 'x.jsonl', '--commit-interval-ms', '0'], '--commit-interval-ms must be at least 1'],
  ] as const;
  const runs = await Promise.all(cases.map(([args]) => runCli(['backfill', '--contract', CONTRACT, ...args])));
  for (const [i, { code, stderr }] of runs.entries()) {
    const says = cases[i]![1];
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, new RegExp(says.replace(/[.*]/g, '\\$&')));
  }
});

test('JSON lines + Parquet archive: SIGKILL between table commits, resume, second run adds nothing, lake = oracle', { timeout: 60_000 }, (t) => withScratch(t, async ({ warehouse }) => {
  const topic = uniqueName('it.backfill');
  const records = generated(topic, 8_000, 7);
  const archive = join(warehouse, '..', 'archive');
  await mkdir(join(archive, 'b'), { recursive: true });
  const third = Math.floor(records.length / 3);
  const [first, second, rest] = [records.slice(0, third), records.slice(third, 2 * third), records.slice(2 * third)];
  // A mirror's re-delivery (lines written twice) and another topic's lines in the same files.
  const repeated = first.slice(-50);
  const other = generated(uniqueName('it.other'), 30, 8);
  await writeFile(join(archive, 'a-000.jsonl'), jsonLinesOf([...first, ...other, ...repeated]));
  await writeFile(join(archive, 'a-001.parquet'), parquetArchiveOf(second));
  await writeFile(join(archive, 'b', 'part-000.ndjson'), jsonLinesOf(rest));
  await writeFile(join(archive, '_SUCCESS'), '');
  const args = ['--topic', topic, '--from', archive, '--warehouse', warehouse];
  const noBroker = { LAKEGRAPH_BROKERS: '' };

  const killed = await backfill(args, { ...noBroker, LAKEGRAPH_TEST_CRASH_AT: 'after-commit:2' });
  assert.equal(killed.signal, 'SIGKILL', `${killed.stdout}\n${killed.stderr}`);
  assert.match(killed.stderr, /rejected records go to graph\.rejected_events only/);

  const resumed = await backfill(args, noBroker);
  assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
  const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.otherTopics, other.length);
  assert.ok(summary.alreadyInLake >= repeated.length, `the repeated lines and what the killed run committed were skipped: ${resumed.stdout}`);
  assert.match(resumed.stderr, /records .*\/s .*next offsets 0:\d+ 1:\d+/, 'a progress line with rate and position');
  assert.deepEqual(await readAndCommitted(warehouse, topic), new Map([0, 1].map((p) => [p, records.filter((r) => r.partition === p).length])));
  await assertLakeEqualsOracle(warehouse, CONTRACT, records);

  const before = await snapshotIds(warehouse);
  const again = await backfill(args, noBroker);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout.trim().split('\n').at(-1)!).snapshots, 0, 'a second run commits nothing');
  assert.deepEqual(await snapshotIds(warehouse), before, 'the lake is as it was');
}));

test('backfill from s3:// beside a live ingest of the same topic that committed first: the overlap counted once, rejects in the DLQ too', { timeout: 90_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const topic = uniqueName('it.backfill-live');
  const records = generated(topic, 6_000, 9);
  await createTopic(kafka, topic, PARTITIONS);
  await produceRecords(kafka, topic, records);
  // The archive mirrors each partition's first 60%; Kafka still holds everything.
  const archived = [0, 1].flatMap((p) => {
    const own = records.filter((r) => r.partition === p);
    return own.slice(0, Math.floor(own.length * 0.6));
  });
  const prefix = `${BUCKET}/it-backfill/${topic}`;
  const io = fileIOFor(prefix);
  await io.write(`${prefix}/part-0.jsonl`, jsonLinesOf(archived.filter((r) => r.partition === 0)));
  await io.write(`${prefix}/part-1.jsonl`, jsonLinesOf(archived.filter((r) => r.partition === 1)));
  try {
    const live = startIngest(['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--commit-interval-ms', '200', '--exit-when-idle-ms', '3000'], {}, log('ingest'));
    // Backfill starts once live ingest has committed a window: it must skip or be fenced off what live ingest wrote.
    for (const deadline = Date.now() + 60_000; (await readAndCommitted(warehouse, topic)).size === 0; await sleep(100)) {
      assert.ok(Date.now() < deadline, 'live ingest committed nothing in 60 s');
    }
    const replayed = await backfill(['--topic', topic, '--from', prefix, '--warehouse', warehouse]);
    assert.equal(replayed.code, 0, `${replayed.stdout}\n${replayed.stderr}`);
    const { read, alreadyInLake, rescans, snapshots } = JSON.parse(replayed.stdout.trim().split('\n').at(-1)!);
    t.diagnostic(`backfill read ${read} records, ${alreadyInLake} already in the lake, ${rescans} rescans after live ingest's commits, ${snapshots} snapshots`);
    const ingested = await live.exited;
    assert.equal(ingested.code, 0, `${ingested.stdout.slice(-3000)}\n${ingested.stderr.slice(-2000)}`);
    assert.deepEqual(await readAndCommitted(warehouse, topic), await endOffsets(kafka, topic));
    await assertLakeEqualsOracle(warehouse, CONTRACT, records);
    // Each writer sends a window's rejects to the DLQ before committing them (at-least-once there).
    const rejected = [...oracleOf([{ contract: CONTRACT, records }]).rejectedByTopic.values()].reduce((a, b) => a + b, 0);
    const dlq = (await endOffsets(kafka, `${topic}.dlq`)).get(0) ?? 0;
    assert.ok(rejected > 0 && dlq >= rejected, `every reject reached ${topic}.dlq: ${dlq} of ${rejected}`);
  } finally {
    for await (const file of io.list(`${prefix}/`)) await io.delete(file.location);
  }
}));

test('a live writer committing the same partitions mid-backfill fences it: it rescans, and the overlap is in the lake once', { timeout: 60_000 }, (t) => withScratch(t, async ({ warehouse }) => {
  const topic = uniqueName('it.backfill-fence');
  const records = generated(topic, 4_000, 11, 6 * 60 * 60_000);
  const archive = join(warehouse, '..', 'archive.jsonl');
  await writeFile(archive, jsonLinesOf(records));
  const catalog = new FilesystemCatalog(warehouse);
  const perPartition = [0, 1].map((p) => records.filter((r) => r.partition === p).length);
  // The same job live ingest runs, fed the first 70% of each partition, commits just before the backfill's flush.
  const live = new TopicJob(topic, await openGraphTables(catalog), { contract: CONTRACT });
  let liveCommitted = false;
  const commitLiveFirst = async () => {
    if (liveCommitted) return;
    liveCommitted = true;
    await live.reload();
    live.assign([0, 1]);
    for (const r of records) if (r.offset < 0.7 * perPartition[r.partition]!) live.process(r);
    await live.flush();
  };
  const job = new TopicJob(topic, await openGraphTables(catalog), { contract: CONTRACT });
  const done = await runBackfill({ job, files: await listArchive(archive), commitIntervalMs: 1, sendRejected: commitLiveFirst });
  assert.ok(liveCommitted, 'the live writer committed');
  assert.equal(done.rescans, 1, 'the backfill was fenced once and scanned again');
  assert.ok(done.alreadyInLake > 0, 'the rescan started at the replay points the live writer committed, past offset 0');
  assert.deepEqual(await readAndCommitted(warehouse, topic), new Map(perPartition.map((n, p) => [p, n])));
  await assertLakeEqualsOracle(warehouse, CONTRACT, records);
}));

test('a gap in a partition stops the backfill after committing what came before it', { timeout: 60_000 }, (t) => withScratch(t, async ({ warehouse }) => {
  const topic = uniqueName('it.backfill-gap');
  const records = generated(topic, 1_000, 12);
  const missing = records.find((r) => r.partition === 1 && r.offset === 300)!;
  const archive = join(warehouse, '..', 'archive.jsonl');
  await writeFile(archive, jsonLinesOf(records.filter((r) => r !== missing)));
  const job = new TopicJob(topic, await openGraphTables(new FilesystemCatalog(warehouse)), { contract: CONTRACT });
  await assert.rejects(runBackfill({ job, files: await listArchive(archive), commitIntervalMs: 60_000 }), (error: Error) => error instanceof ArchiveGapError && /partition 1: the archive jumps from offset 300 to 301/.test(error.message));
  assert.equal((await readAndCommitted(warehouse, topic)).get(1), 300, 'partition 1 is committed up to the gap');
}));
