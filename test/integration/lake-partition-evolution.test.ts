/**
 * Partition spec evolution on a live table, on the REST catalog over S3 (the test's own,
 * test/support/private-services.ts; the broker is the shared one). One `lakegraph ingest`
 * runs throughout: it commits the first part of a topic, `lakegraph repartition` moves
 * graph.edges from `bucket(8, src_id)` to `bucket(16, src_id)` under it, and it goes on
 * with the second and third parts — its first commit after the change still holds files
 * written with spec 0 (valid, in a manifest of spec 0), the next ones take spec 1 from the
 * metadata its commit got back. The lake then holds files of both specs and still equals
 * the oracle: through lakegraph's planning (DuckDB), graph queries with and without the
 * edge index that `serve` keeps, PyIceberg and DuckDB iceberg_scan. `lakegraph compact`
 * rewrites every spec-0 file into spec 1 and the aggregates stay equal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupBy } from '../../src/common/group-by.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { defaultPartitionSpec } from '../../src/lake/spec/table-metadata.js';
import type { GraphEdge } from '../../src/query/graph-result.js';
import { QuerySession } from '../../src/query/query-session.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { runCli } from '../support/cli-process.js';
import { assertLakeHolds, createTopic, oracleOf, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { edgeKey, type OracleEdge, type OracleResult } from '../support/oracle.js';
import { privateServicesOfFile, step, type PrivateLake } from '../support/private-services.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';

const PARTITIONS = 4;
const CONTRACT = 'app.playback';
const EDGES = { namespace: ['graph'], name: 'edges' };
const SIXTEEN = 'day(last_seen), bucket(16, src_id)';

const privateServices = privateServicesOfFile('object-store', 'rest-catalog');

/** Live edge files per partition spec id. */
async function filesBySpec(lake: PrivateLake): Promise<Map<number, number>> {
  const { files } = await planFiles(lake.io, await lake.catalog.loadTable(EDGES));
  return new Map([...groupBy(files, (f) => f.specId)].map(([specId, inSpec]) => [specId, inSpec.length]));
}

const answerOf = (e: OracleEdge | GraphEdge) =>
  JSON.stringify([edgeKey(e), new Date(e.first_seen).toISOString(), new Date(e.last_seen).toISOString(), e.event_count]);

/** `neighbors` of every source node of a sample of edges, as a session answers it, equals the oracle's edges into or out of the node. */
async function assertNeighborsEqualOracle(session: QuerySession, expected: OracleResult, what: string): Promise<void> {
  const edges = [...expected.edges.values()];
  const nodes = new Map(edges.filter((_, i) => i % Math.ceil(edges.length / 12) === 0).map((e) => [`${e.src_type}:${e.src_id}`, e]));
  for (const { src_type: type, src_id: id } of nodes.values()) {
    const result = await session.graphQuery({ query: 'neighbors', node: { type: type as 'profile', id }, edgeType: null, since: Number.NEGATIVE_INFINITY });
    const want = edges.filter((e) => (e.src_type === type && e.src_id === id) || (e.dst_type === type && e.dst_id === id));
    assert.deepEqual(result.edges.map(answerOf).sort(), want.map(answerOf).sort(), `${what}: neighbors of ${type}:${id}`);
  }
}

async function assertQueriesEqualOracle(lake: PrivateLake, expected: OracleResult, when: string): Promise<void> {
  await assertLakeHolds(lake.catalog, expected);
  for (const edgeIndex of [undefined, {}]) {
    const session = await QuerySession.open({ catalog: lake.catalog, edgeIndex });
    try {
      await assertNeighborsEqualOracle(session, expected, `${when}, ${edgeIndex ? 'edge index (serve)' : 'files (query)'}`);
    } finally {
      await session.close();
    }
  }
}

test('repartitioning graph.edges under a running ingest on REST: both specs read as the oracle, compaction moves all into the new one', { timeout: 300_000 }, (t) => withScratch(t, async ({ log }) => {
  const started = Date.now();
  const reached = (what: string) => t.diagnostic(`${what} at ${Date.now() - started} ms`);
  const kafka = testKafka();
  const topic = uniqueName(`it.repartition.${CONTRACT}`);
  const records = [...new RecordGenerator({ events: 6_000, seed: 41, topics: [CONTRACT], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, spanMs: 30 * 60 * 60_000, baseTs: Date.UTC(2026, 0, 2, 6) })];
  const third = Math.ceil(records.length / 3);
  const parts = [records.slice(0, third), records.slice(third, 2 * third), records.slice(2 * third)];
  const [services] = await Promise.all([
    privateServices.up(),
    step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS)).then(() => produceRecords(kafka, topic, parts[0]!)),
  ]);
  const lake = services.lake();
  const uri = services.catalogUri;
  reached('private REST catalog and object store up, first part produced');

  const ingest = startIngest(['--topic', topic, '--contract', CONTRACT, '--catalog-uri', uri, '--commit-interval-ms', '300'], lake.env, log('ingest'));
  await step('ingesting the first part', 90_000, waitUntilCommitted(kafka, lake.catalog, topic, 90_000));

  reached('first part committed');
  const bad = await runCli(['repartition', '--table', 'edges', '--spec', 'day(last_seen), bucket(16, src)', '--catalog-uri', uri], lake.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^lakegraph repartition: --spec: no column "src"; columns: .*\n$/);
  const repartition = await runCli(['repartition', '--table', 'edges', '--spec', SIXTEEN, '--catalog-uri', uri], lake.env);
  assert.equal(repartition.code, 0, repartition.stderr);
  assert.match(repartition.stdout, /changed the partitioning of new files from spec 0 \(day\(last_seen\), bucket\(8, src_id\)\) to spec 1 \(day\(last_seen\), bucket\(16, src_id\)\)/);
  const evolved = await lake.catalog.loadTable(EDGES);
  assert.deepEqual(defaultPartitionSpec(evolved), {
    'spec-id': 1,
    fields: [
      { 'source-id': 7, 'field-id': 1000, name: 'last_seen_day', transform: 'day' },
      { 'source-id': 3, 'field-id': 1002, name: 'src_id_bucket_16', transform: 'bucket[16]' },
    ],
  }, 'the REST catalog keeps the field ids lakegraph assigned');
  assert.equal(evolved['last-partition-id'], 1002);

  for (const [i, part] of parts.slice(1).entries()) {
    await produceRecords(kafka, topic, part);
    await step(`ingesting part ${i + 2}`, 90_000, waitUntilCommitted(kafka, lake.catalog, topic, 90_000));
  }
  reached('all parts committed');
  ingest.child.kill('SIGTERM');
  const ended = await ingest.exited;
  assert.equal(ended.code, 0, ended.stderr.slice(-2000));
  const mixed = await filesBySpec(lake);
  t.diagnostic(`live edge files by spec after ingest: ${JSON.stringify([...mixed])}`);
  assert.ok((mixed.get(0) ?? 0) > 0 && (mixed.get(1) ?? 0) > 0, 'the running ingest wrote files of both specs');

  const expected = oracleOf([{ contract: CONTRACT, records }]);
  await step('querying the mixed-spec lake', 120_000, assertQueriesEqualOracle(lake, expected, 'mixed specs'));
  reached('mixed-spec lake queried');
  const readers = await step('PyIceberg and DuckDB reading the lake', 120_000, readGraphAggregates(['--rest', uri, 'graph'], lake.env));
  for (const [reader, view] of Object.entries(readers)) assertGraphEqualsOracle(view, expected, reader);

  reached('mixed-spec lake read by PyIceberg and DuckDB');
  const compact = await runCli(['compact', '--catalog-uri', uri], lake.env);
  assert.equal(compact.code, 0, compact.stderr);
  const compacted = await filesBySpec(lake);
  assert.deepEqual([...compacted.keys()], [1], `compaction rewrote every spec-0 file into spec 1 (${JSON.stringify([...compacted])})`);
  reached('compacted');
  await step('querying the compacted lake', 120_000, assertQueriesEqualOracle(lake, expected, 'compacted'));
  reached('done');
  privateServices.passed();
}));
