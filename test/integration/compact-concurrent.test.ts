/**
 * Issue 5: `lakegraph compact` runs again and again while two real `lakegraph ingest`
 * processes consume their topics from the real broker and commit to the same tables.
 * Compaction's replaces and expiries land between the ingest commits; still no ingest
 * commit is lost (each topic's offsets in the current snapshots reach the end of its
 * stream; ingest, stopped with SIGTERM once they do, exits 0), and what PyIceberg and
 * DuckDB read equals the oracle.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Topic } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { highWatermarks } from '../../src/stream/kafka/end-offsets.js';
import { ensureTopic } from '../../src/stream/kafka/topic-admin.js';
import { startIngest, testKafka, uniqueName } from '../support/ingest-harness.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { oracle } from '../support/oracle.js';
import { liveFiles, PARTITIONS, untilCommitted } from './compact-fixtures.js';
import { runCli } from '../support/cli-process.js';

const CONTRACTS: readonly Topic[] = ['app.playback', 'app.ads'];
const EVENTS_PER_TOPIC = 10_000;
/** Spreads each part of a topic over a few seconds, so ingest commits all along. */
const PRODUCE_RATE = 1_000;
/**
 * Each topic is produced in this many parts, the next only once compaction has finished
 * one more run: a fixed pace alone let ingest catch up during a single slow run on a busy
 * CI machine (a run there took over 30 s), so compaction must not be outrun by production.
 */
const PRODUCE_PARTS = 3;

const kafka = testKafka();
const admin = kafka.admin();
await admin.connect();
after(() => admin.disconnect());

test('compaction beside two real ingest processes: no lost commit, oracle equality, offsets at the end', { timeout: 180_000 }, async (t) => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-concurrent-'));
  try {
    await openGraphTables(new FilesystemCatalog(warehouse));
    const streams = await Promise.all(
      CONTRACTS.map(async (contract, i) => {
        const topic = uniqueName(`it.compact.${contract}`);
        assert.equal(await ensureTopic(admin, topic, PARTITIONS), PARTITIONS);
        const records = [...new RecordGenerator({ events: EVENTS_PER_TOPIC, seed: 20 + i, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.01 })];
        return { contract, topic, records };
      }),
    );

    const ingests = streams.map(({ contract, topic }) =>
      startIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--group', uniqueName('g'), '--commit-interval-ms', '300']),
    );
    await Promise.all(ingests.map((ingest) => ingest.waitFor('partitions assigned')));
    // Stopped once the lake holds every topic to its end; the oracle check below proves
    // nothing was lost or doubled on the way.
    let runs = 0;
    const runDone: Array<() => void> = [];
    const afterRuns = (count: number) => new Promise<void>((resolve) => (runs >= count ? resolve() : runDone.push(() => runs >= count && resolve())));
    const caughtUp = Promise.all(
      streams.map(async ({ topic, records }) => {
        const partSize = Math.ceil(records.length / PRODUCE_PARTS);
        for (let part = 0; part < PRODUCE_PARTS; part++) {
          await afterRuns(part);
          const slice = records.slice(part * partSize, (part + 1) * partSize);
          assert.equal(await produceRecords(kafka, topic, slice, { rate: PRODUCE_RATE }), slice.length);
        }
        const ends = await highWatermarks(admin, topic);
        await untilCommitted(warehouse, topic, ends);
      }),
    );
    let ingesting = true;
    const stopped = caughtUp.finally(() => {
      ingesting = false;
      for (const ingest of ingests) ingest.child.kill('SIGTERM');
    });
    // Bounded on its own: should the catch-up never settle, this loop must not compact until the file times out.
    stopped.catch(() => {});
    const loopDeadline = Date.now() + 150_000;

    const maintain = ['compact', '--warehouse', warehouse, '--target-file-mb', '16', '--expire-older-than', '0s', '--keep-snapshots', '3', '--orphan-older-than', '1h', '--json'];
    let filesRewritten = 0;
    let snapshotsExpired = 0;
    while (ingesting) {
      assert.ok(Date.now() < loopDeadline, 'ingest did not catch up within 150 s of compaction runs');
      const run = await runCli(maintain);
      assert.equal(run.code, 0, run.stderr);
      runs++;
      for (const wake of runDone) wake();
      for (const table of (JSON.parse(run.stdout) as { tables: Array<{ rewrite: { filesRewritten: number }; expiry: { snapshotsExpired: number } }> }).tables) {
        filesRewritten += table.rewrite.filesRewritten;
        snapshotsExpired += table.expiry.snapshotsExpired;
      }
    }
    await stopped;
    for (const [i, end] of (await Promise.all(ingests.map((ingest) => ingest.exited))).entries()) {
      assert.deepEqual({ code: end.code, signal: end.signal }, { code: 0, signal: null }, `ingest of ${streams[i].topic}:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
      // A commit compaction had overwritten would surface here: the job's next commit finds
      // the table's offsets behind its own (an offset fence) and it re-reads.
      assert.doesNotMatch(end.stdout, /offset fence|flush failed/, `ingest of ${streams[i].topic} never had a commit refused`);
    }
    t.diagnostic(`${runs} compaction runs beside ingest rewrote ${filesRewritten} files and expired ${snapshotsExpired} snapshots`);
    assert.ok(runs >= 2 && filesRewritten > 0 && snapshotsExpired > 0, 'compaction really rewrote and expired while ingest committed');
    const last = await runCli(maintain);
    assert.equal(last.code, 0, last.stderr);
    // The offsets survive the last replace and expiry.
    for (const { topic } of streams) {
      await untilCommitted(warehouse, topic, await highWatermarks(admin, topic), 0);
    }

    const expected = oracle(streams.flatMap((s) => s.records));
    const readers = await readGraphAggregates([warehouse]);
    for (const reader of ['pyiceberg', 'duckdb'] as const) {
      assertGraphEqualsOracle(readers[reader], expected, reader);
      for (const { topic, contract } of streams) {
        const rejected = readers[reader].rejected.filter(([rejectedTopic]) => rejectedTopic === topic).map(([, partition, offset]) => `${partition}:${offset}`);
        assert.equal(rejected.length, expected.rejectedByTopic.get(contract) ?? 0, `${reader}: rejected rows of ${topic}`);
        assert.equal(new Set(rejected).size, rejected.length, `${reader}: no rejected record of ${topic} twice`);
      }
    }
    assert.ok((await liveFiles(warehouse, 'edges')).length <= 16, 'compacted at the end');
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
