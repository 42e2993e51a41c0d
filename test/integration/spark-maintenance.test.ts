/**
 * Spark as the big-table maintenance engine on a lakegraph lake, between two `lakegraph
 * ingest` runs of one topic: Spark (PySpark 4.0 + Iceberg's Spark runtime) reads the graph
 * tables (aggregates = oracle), runs `CALL system.rewrite_data_files` and
 * `CALL system.expire_snapshots` keeping only its own `replace` snapshot, so no snapshot
 * left in the table has lakegraph's Kafka offsets; the second run still resumes exactly
 * where the first stopped (lakegraph finds the offsets in the metadata files the table's
 * metadata-log keeps), and the lake equals the oracle for lakegraph (`query`, `serve`,
 * its own reader), PyIceberg, DuckDB and Spark. Once on the REST catalog with the lake in
 * S3 (the test's own catalog and store, test/support/private-services.ts), once on the
 * filesystem layout through Spark's Hadoop catalog; one Spark session serves both.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { NAMESPACE } from '../../src/lake/tables.js';
import type { GraphResult } from '../../src/query/graph-result.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { runCli, startServe } from '../support/cli-process.js';
import { assertLakeHolds, BROKERS, committedOffsets, createTopic, endOffsets, oracleOf, runIngest, testKafka, uniqueName, withScratch, type Lake } from '../support/ingest-harness.js';
import { activityLines, oracleActivityLines } from '../support/member-activity-answers.js';
import type { OracleResult } from '../support/oracle.js';
import { PrivateServices, step } from '../support/private-services.js';
import { assertGraphEqualsOracle, assertRejectedEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { SparkSession, type SparkCatalog } from '../support/spark-session.js';

const PARTITIONS = 4;
const CONTRACT = 'app.session';
const BASE_TS = Date.UTC(2026, 2, 4, 9);

let services: PrivateServices | undefined;
let passed = false;
after(async () => {
  if (services === undefined) return;
  await services.down('rest-catalog', 'object-store');
  if (passed) await services.remove();
  else console.log(`kept the private services' state and logs in ${services.stateDir}`);
});

/** One topic's records, its first part ingested before Spark's maintenance and the rest after. */
function lakeRecords(events: number, seed: number) {
  const records = [...new RecordGenerator({ events, seed, topics: [CONTRACT], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, spanMs: 20 * 60_000, baseTs: BASE_TS })];
  const split = Math.floor(records.length * 0.6);
  return { records, first: records.slice(0, split), rest: records.slice(split) };
}

/**
 * `lakegraph query member-activity` (and `serve`) answer the oracle's member activity for accounts of the
 * lake, reading the snapshot ∪ the topic's Kafka tail after the snapshot's offsets.
 */
async function assertQueriesEqualOracle(expected: OracleResult, lakeFlags: readonly string[], topic: string, withServe: boolean): Promise<void> {
  const tail = ['--brokers', BROKERS, '--topic', topic, '--contract', CONTRACT];
  const newest = Math.max(...[...expected.edges.values()].map((e) => e.last_seen));
  const want = (account: string) => oracleActivityLines(expected, account, newest - 86_400_000);
  // Three members with activity in the window: each `query` is a process of its own, so they run side by side.
  const accounts = [...new Set([...expected.edges.values()].filter((e) => e.src_type === 'account').map((e) => e.src_id))].filter((account) => want(account).length > 0).slice(0, 3);
  assert.equal(accounts.length, 3, 'accounts with activity to compare');

  await Promise.all(
    accounts.map(async (account) => {
      const run = await runCli(['query', 'member-activity', '--account', account, '--since', '1d', '--at', String(newest), '--json', ...tail, ...lakeFlags]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(activityLines((JSON.parse(run.stdout) as GraphResult).edges), want(account), `query member-activity of ${account}`);
    }),
  );
  if (!withServe) return;
  const { process: serve, url } = await startServe([...tail, ...lakeFlags], {}, 120_000);
  try {
    const answer = async (account: string) => {
      const response = await fetch(`${url}/v1/query/member-activity?account=${encodeURIComponent(account)}&since=1d&at=${newest}`);
      assert.equal(response.status, 200);
      return activityLines(((await response.json()) as GraphResult).edges);
    };
    // serve reads the tail in the background after it starts serving: wait until it has caught up
    // (an answer that missed or repeated events never settles on the oracle's).
    const deadline = Date.now() + 90_000;
    for (const account of accounts) {
      while (!isDeepStrictEqual(await answer(account), want(account)) && Date.now() < deadline) await sleep(500);
      assert.deepEqual(await answer(account), want(account), `serve member-activity of ${account}`);
    }
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
}

test('Spark reads, rewrites and expires between two ingest runs (REST + S3, Hadoop catalog): exactly once, every reader equals the oracle', { timeout: 600_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const started = Date.now();
  services = await PrivateServices.create();
  const kafka = testKafka();
  const restTopic = uniqueName(`it.spark.rest.${CONTRACT}`);
  const fsTopic = uniqueName(`it.spark.fs.${CONTRACT}`);
  await Promise.all([
    services.up('object-store', 'rest-catalog'),
    step('creating the topics', 60_000, Promise.all([createTopic(kafka, restTopic, PARTITIONS), createTopic(kafka, fsTopic, PARTITIONS)])),
  ]);
  const { catalog } = services.lake();
  // The store for Spark, PyIceberg, DuckDB and the lakegraph processes (their flags name the catalog).
  process.env['AWS_ENDPOINT_URL_S3'] = services.objectStoreEndpoint;
  const lake = (name: SparkCatalog, at: Lake, flags: string[], topic: string, events: number, seed: number) => ({ name, lake: at, flags, topic, ...lakeRecords(events, seed) });
  const lakes = [
    lake('rest', catalog, ['--catalog-uri', services.catalogUri], restTopic, 4_000, 31),
    lake('hadoop', warehouse, ['--warehouse', warehouse], fsTopic, 2_000, 32),
  ];
  const ingest = (l: (typeof lakes)[number]) =>
    step(`lakegraph ingest (${l.name})`, 240_000, runIngest(['--topic', l.topic, '--contract', CONTRACT, ...l.flags, '--exit-when-idle-ms', '3000'], { exit: 0 }, {}, log(`ingest-${l.name}`)));

  // The JVM starts while the first runs ingest.
  const sparkStarting = step('installing and starting Spark', 480_000, SparkSession.start({ rest: services.catalogUri, hadoop: warehouse }, log('spark')));
  await Promise.all(lakes.map(async (l) => {
    await produceRecords(kafka, l.topic, l.first);
    await ingest(l);
  }));
  const spark = await sparkStarting;
  t.diagnostic(`ingested the first parts and started Spark after ${((Date.now() - started) / 1000).toFixed(0)} s`);

  for (const l of lakes) {
    const firstEnds = await endOffsets(kafka, l.topic);
    const firstOracle = oracleOf([{ contract: CONTRACT, records: l.first }]);
    const view = await step(`Spark reading ${l.name}`, 300_000, spark.ask('read', l.name));
    assertGraphEqualsOracle(view, firstOracle, `spark (${l.name})`);
    assertRejectedEqualsOracle({ ...view, rejected: view.rejected.map(([, p, o, reason]) => [CONTRACT, p, o, reason]) }, firstOracle, `spark (${l.name})`);

    const rewritten = await step(`Spark rewrite_data_files (${l.name})`, 300_000, spark.ask('rewrite', l.name));
    const expired = await step(`Spark expire_snapshots (${l.name})`, 300_000, spark.ask('expire', l.name));
    const left = await spark.ask('snapshots', l.name);
    t.diagnostic(`${l.name}: rewrite ${JSON.stringify(rewritten)}; expire ${JSON.stringify(expired)}`);
    for (const table of ['edges', 'nodes'] as const) {
      assert.ok(rewritten[table].rewritten_data_files_count > 0 && rewritten[table].failed_data_files_count === 0, `${l.name}: Spark rewrote ${table}`);
      // S3Proxy answers every DeleteObjects of a current AWS SDK 501 (checksum headers), so on S3 Spark's expiry
      // leaves the files, unreferenced, for orphan cleanup; on the filesystem it deletes them.
      if (l.name === 'hadoop') assert.ok(expired[table].deleted_data_files_count > 0, `${l.name}: Spark's expiry deleted the replaced ${table} files`);
      assert.deepEqual(left[table].map(([, , operation]) => operation), ['replace'], `${l.name}: only Spark's replace snapshot of ${table} is left`);
    }
    // No snapshot left has lakegraph's offsets, and still they are found.
    assert.deepEqual(await committedOffsets(l.lake, 'edges', l.topic), firstEnds, `${l.name}: the offsets under Spark's snapshot`);
  }

  // Before the second run: the tail starts at the offsets under Spark's snapshot, or the answers miss or repeat events.
  await Promise.all(lakes.map((l) => produceRecords(kafka, l.topic, l.rest)));
  for (const l of lakes) {
    const expected = oracleOf([{ contract: CONTRACT, records: l.records }]);
    await step(`query and serve on ${l.name} under Spark's snapshot`, 240_000, assertQueriesEqualOracle(expected, l.flags, l.topic, true));
  }
  await Promise.all(lakes.map(ingest));
  for (const l of lakes) {
    const expected = oracleOf([{ contract: CONTRACT, records: l.records }]);
    assert.deepEqual(await committedOffsets(l.lake, 'edges', l.topic), await endOffsets(kafka, l.topic), `${l.name}: the second run read to the end`);
    await step(`lakegraph reading ${l.name}`, 120_000, assertLakeHolds(l.lake, expected));
    const view = await step(`Spark reading ${l.name} again`, 300_000, spark.ask('read', l.name));
    assertGraphEqualsOracle(view, expected, `spark (${l.name}, after the second run)`);
    const readers = await step(`PyIceberg and DuckDB reading ${l.name}`, 180_000, readGraphAggregates(l.name === 'rest' ? ['--rest', services.catalogUri, NAMESPACE] : [warehouse]));
    for (const [reader, readerView] of Object.entries(readers)) assertGraphEqualsOracle(readerView, expected, `${reader} (${l.name})`);
    await step(`query on ${l.name}`, 180_000, assertQueriesEqualOracle(expected, l.flags, l.topic, false));
  }
  await spark.stop();
  t.diagnostic(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  passed = true;
}));
