/**
 * The whole flow with the lake in the object store behind the REST catalog (the test's
 * own catalog and store, test/support/private-services.ts; the shared broker): generated
 * events in Kafka → one ingest job per topic, two members for one of them with one
 * SIGKILLed mid-run, compaction beside the live jobs → PyIceberg (REST, S3 FileIO) and
 * DuckDB (iceberg_scan over httpfs) aggregates equal the oracle, `serve` answers
 * member-activity equal to the oracle, and orphan cleanup deletes only objects that no
 * snapshot references.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { canonicalLocation } from '../../src/lake/io/location.js';
import { reachableFiles } from '../../src/lake/scan/reachable-files.js';
import { NAMESPACE, TABLE_NAMES } from '../../src/lake/tables.js';
import type { GraphResult } from '../../src/query/graph-result.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { runCli, startServe } from '../support/cli-process.js';
import { assertLakeEqualsOracleOfTopics, createTopic, readAndCommitted, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { filesUnder } from '../support/lake-files.js';
import { activityLines, oracleActivityLines } from '../support/member-activity-answers.js';
import { oracle } from '../support/oracle.js';
import { PrivateServices, step } from '../support/private-services.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 1, 3, 8);

let services: PrivateServices | undefined;
let passed = false;
after(async () => {
  await services?.down('rest-catalog', 'object-store');
  if (passed) await services?.remove();
  else console.log(`kept the private services' state and logs in ${services?.stateDir}`);
});

test('Kafka → ingest (a member SIGKILLed) + compaction → S3 lake: readers, serve and orphan cleanup agree with the oracle', { timeout: 540_000 }, (t) => withScratch(t, async ({ log }) => {
  services = await PrivateServices.create();
  await services.up('object-store', 'rest-catalog');
  const { env, io, catalog: lake } = services.lake();

  const kafka = testKafka();
  const sources = (['app.playback', 'app.session'] as const).map((contract, i) => ({
    contract,
    topic: uniqueName(`it.s3flow.${contract}`),
    records: [...new RecordGenerator({ events: 16_000, seed: 40 + i, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.01, spanMs: 30 * 60_000, baseTs: BASE_TS })],
  }));
  for (const { topic } of sources) await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const [playback, session] = sources as [(typeof sources)[0], (typeof sources)[0]];

  const jobArgs = (source: typeof playback, group: string) => ['--topic', source.topic, '--contract', source.contract, '--group', group, '--commit-interval-ms', '500', '--session-timeout-ms', '6000'];
  const pair = uniqueName('g-s3pair');
  const a = startIngest(jobArgs(playback, pair), env, log('playback-a'));
  const b = startIngest(jobArgs(playback, pair), env, log('playback-b'));
  const c = startIngest(jobArgs(session, uniqueName('g-s3session')), env, log('session'));
  const jobs = [a, b, c];
  try {
    await step('every job assigned', 60_000, Promise.all(jobs.map((job) => job.waitFor('partitions assigned'))));
    const producing = Promise.all(sources.map(({ topic, records }) => produceRecords(kafka, topic, records, { rate: 1_500 })));
    // A dies mid-stream, after the lake holds some of what it read.
    await step('a first commit of playback', 60_000, (async () => {
      while ((await readAndCommitted(lake, playback.topic)).size === 0) await sleep(200);
    })());
    a.child.kill('SIGKILL');
    // Compaction beside the live jobs: its commits and theirs interleave.
    const compaction = await runCli(['compact', '--target-file-mb', '16', '--expire-older-than', '0s', '--keep-snapshots', '3', '--orphan-older-than', '1h', '--json'], env);
    assert.equal(compaction.code, 0, compaction.stderr);
    await step('producing', 120_000, producing);
    for (const { topic } of sources) await step(`${topic} committed to its end`, 180_000, waitUntilCommitted(kafka, lake, topic, 170_000));
    for (const job of [b, c]) job.child.kill('SIGTERM');
    for (const [i, end] of (await Promise.all([b.exited, c.exited])).entries()) {
      assert.equal(end.code, 0, `job ${i} stopped cleanly:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
    }
    assert.equal((await a.exited).signal, 'SIGKILL');
  } finally {
    for (const job of jobs) job.child.kill('SIGKILL');
  }
  await step('the lake equals the oracle', 120_000, assertLakeEqualsOracleOfTopics(lake, sources));

  // Orphan cleanup: a planted object and whatever the killed member left go; every object a snapshot references stays.
  const planted = `s3://lakegraph/warehouse/${NAMESPACE}/edges/data/planted-orphan.parquet`;
  await io.write(planted, 'not referenced by any snapshot');
  await sleep(1_100); // object times have one-second resolution
  const cleanup = await runCli(['compact', '--orphan-older-than', '1s', '--json'], env);
  assert.equal(cleanup.code, 0, cleanup.stderr);
  assert.equal(await io.stat(planted), undefined, 'the planted orphan is gone');
  for (const name of TABLE_NAMES) {
    const metadata = await lake.loadTable({ namespace: [NAMESPACE], name });
    const present = new Set((await filesUnder(metadata.location, io)).map(canonicalLocation));
    const referenced = await reachableFiles(io, metadata.snapshots);
    for (const file of [...referenced.metadata, ...referenced.dataFiles]) assert.ok(present.has(file), `${file} of ${name} is still there`);
  }

  // Third-party readers, over the object store.
  const expected = oracle(sources.flatMap(({ contract, records }) => records.map((r) => ({ topic: contract, partition: r.partition, value: r.value }))));
  const readers = await readGraphAggregates(['--rest', services.catalogUri, NAMESPACE], env);
  for (const [reader, view] of Object.entries(readers)) {
    assertGraphEqualsOracle(view, expected, `${reader} (REST, S3)`);
    // Rejected rows carry the topic's own name; the oracle counts them by contract.
    for (const { topic, contract } of sources) {
      const rejected = view.rejected.filter(([rejectedTopic]) => rejectedTopic === topic).map(([, partition, offset]) => `${partition}:${offset}`);
      assert.equal(rejected.length, expected.rejectedByTopic.get(contract) ?? 0, `${reader}: rejected rows of ${topic}`);
      assert.equal(new Set(rejected).size, rejected.length, `${reader}: no rejected record of ${topic} twice`);
    }
  }

  // serve over the S3 lake: member-activity equals the oracle for members of both topics.
  const { process: serve, url } = await startServe(['--no-tail'], env, 120_000);
  try {
    const newest = Math.max(...[...expected.edges.values()].map((e) => e.last_seen));
    const accounts = [...new Set([...expected.edges.values()].filter((e) => e.src_type === 'account').map((e) => e.src_id))].slice(0, 12);
    let nonEmpty = 0;
    for (const account of accounts) {
      const response = await fetch(`${url}/v1/query/member-activity?account=${encodeURIComponent(account)}&since=1d&at=${newest}`);
      assert.equal(response.status, 200);
      const got = activityLines(((await response.json()) as GraphResult).edges);
      const want = oracleActivityLines(expected, account, newest - 86_400_000);
      assert.deepEqual(got, want, `member-activity of ${account}`);
      if (want.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty >= 6, `only ${nonEmpty} accounts had activity; the check would prove little`);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  passed = true;
}));
