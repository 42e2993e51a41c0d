/**
 * Another engine writes to graph.edges between two `lakegraph ingest` runs on the REST
 * catalog: PyIceberg appends two edge rows in one file and deletes one of them again (a
 * copy-on-write rewrite), two snapshots with 64-bit ids and no `lakegraph.*` summary keys.
 * `lakegraph status` shows PyIceberg's snapshot, digit for digit, and the Kafka offsets of
 * the lakegraph snapshot below it; `lakegraph query` and `lakegraph sql` (snapshot ∪ Kafka
 * tail) read the table; the second run commits on top and loses and repeats nothing: the
 * lake equals the oracle of every record plus the one foreign row that was kept, read by
 * lakegraph, PyIceberg and DuckDB alike. The catalog and the store are the test's own
 * (test/support/private-services.ts); the broker is the shared one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJson } from '../../src/common/lossless-json.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { RoutingFileIO } from '../../src/lake/io/routing-file-io.js';
import { currentSnapshot } from '../../src/lake/spec/table-metadata.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { runCli } from '../support/cli-process.js';
import { assertLakeHolds, createTopic, endOffsets, oracleOf, runIngest, testKafka, uniqueName, withScratch } from '../support/ingest-harness.js';
import { edgeKey, type OracleEdge } from '../support/oracle.js';
import { privateServicesOfFile, step } from '../support/private-services.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { runPython } from '../support/services.js';

const PARTITIONS = 4;
const CONTRACT = 'app.playback';
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface ForeignSnapshot {
  readonly id: bigint;
  readonly parent: bigint | number | null;
  readonly operation: string;
}

interface StatusJson {
  tables: Array<{ table: string; current: { snapshotId: bigint | number; operation: string } | undefined; offsets: Record<string, Record<string, number>> }>;
}

const privateServices = privateServicesOfFile('object-store', 'rest-catalog');

const kept: OracleEdge = {
  edge_type: 'watched', src_type: 'profile', src_id: 'p-foreign', dst_type: 'title', dst_id: 't-foreign-kept',
  first_seen: Date.UTC(2026, 0, 2, 9), last_seen: Date.UTC(2026, 0, 2, 10), event_count: 2,
};
const deleted: OracleEdge = { ...kept, dst_id: 't-foreign-deleted', event_count: 5 };
const asRow = (e: OracleEdge) => ({ ...e, first_seen: e.first_seen * 1000, last_seen: e.last_seen * 1000, source_topic: 'pyiceberg' });

test('PyIceberg appends and deletes between two ingest runs on REST: offsets survive, ids stay exact, nothing lost or repeated', { timeout: 600_000 }, (t) => withScratch(t, async ({ log }) => {
  const services = await privateServices.up();
  const uri = services.catalogUri;
  // For PyIceberg (runPython passes this process's environment on) and the lakegraph processes.
  process.env['AWS_ENDPOINT_URL_S3'] = services.objectStoreEndpoint;
  const io = new RoutingFileIO();
  io.configure({ 's3.endpoint': services.objectStoreEndpoint });
  const lake = new RestCatalog({ uri, io });
  const edges = { namespace: ['graph'], name: 'edges' };

  const kafka = testKafka();
  const topic = uniqueName(`it.foreign.${CONTRACT}`);
  await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const records = [...new RecordGenerator({ events: 8_000, seed: 23, topics: [CONTRACT], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, spanMs: 20 * 60_000, baseTs: Date.UTC(2026, 0, 2) })];
  const half = records.length / 2;
  const ingest = () => step('lakegraph ingest', 240_000, runIngest(['--topic', topic, '--contract', CONTRACT, '--catalog-uri', uri, '--exit-when-idle-ms', '3000'], { exit: 0 }, {}, log('ingest')));

  await produceRecords(kafka, topic, records.slice(0, half));
  await ingest();
  const firstEnds = await endOffsets(kafka, topic);
  const ours = currentSnapshot(await lake.loadTable(edges))!;

  const foreign = await step('PyIceberg appending and deleting', 120_000, runPython<ForeignSnapshot[]>(
    { script: 'test/integration/foreign_edge_writes.py' },
    [uri, 'graph.edges', JSON.stringify({ append: [asRow(kept), asRow(deleted)], delete_where: ['dst_id', deleted.dst_id] })],
  ));
  t.diagnostic(`PyIceberg's snapshots: ${foreign.map((s) => `${s.id} ${s.operation}`).join(', ')}`);
  assert.deepEqual(foreign.map((s) => s.operation), ['append', 'overwrite']);
  assert.ok(foreign.every((s) => typeof s.id === 'bigint' && s.id > MAX_SAFE), 'ids beyond 2^53');
  assert.deepEqual(foreign.map((s) => BigInt(s.parent!)), [ours['snapshot-id'], foreign[0]!.id]);

  const status = await runCli(['status', '--json', '--catalog-uri', uri]);
  assert.equal(status.code, 0, status.stderr);
  const edgesStatus = (parseJson(status.stdout) as StatusJson).tables.find((s) => s.table === 'edges')!;
  assert.equal(edgesStatus.current?.snapshotId, foreign[1]!.id, "status names PyIceberg's snapshot exactly");
  assert.deepEqual(edgesStatus.offsets[topic], Object.fromEntries(firstEnds), "and the offsets of lakegraph's snapshot below it");

  const neighbors = await runCli(['query', 'neighbors', '--node', 'profile:p-foreign', '--json', '--catalog-uri', uri]);
  assert.equal(neighbors.code, 0, neighbors.stderr);
  assert.deepEqual((JSON.parse(neighbors.stdout) as { edges: Array<{ dst_id: string; event_count: number }> }).edges.map((e) => [e.dst_id, e.event_count]), [[kept.dst_id, 2]]);

  await produceRecords(kafka, topic, records.slice(half));
  const expected = oracleOf([{ contract: CONTRACT, records }]);
  expected.edges.set(edgeKey(kept), kept);
  const expectedEvents = [...expected.edges.values()].reduce((sum, e) => sum + e.event_count, 0);
  // The tail starts at the offsets under PyIceberg's snapshots: from anywhere else it would miss or repeat events.
  const sql = await runCli(['sql', '-c', 'SELECT sum(event_count)::BIGINT AS events FROM edges', '--json', '--catalog-uri', uri, '--brokers', process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092', '--topic', topic, '--contract', CONTRACT]);
  assert.equal(sql.code, 0, sql.stderr);
  assert.equal(Number((JSON.parse(sql.stdout) as Array<{ events: number | string }>)[0]!.events), expectedEvents, 'snapshot ∪ tail counts every event once');

  await ingest();
  const final = await lake.loadTable(edges);
  const onTop = final.snapshots.find((s) => s['parent-snapshot-id'] === foreign[1]!.id);
  assert.ok(onTop !== undefined, "lakegraph's next commit has PyIceberg's snapshot as its parent, id exact");
  assert.ok(Object.keys(onTop.summary).some((key) => key.startsWith('lakegraph.offsets.')), 'and carries the offsets forward');
  await step('reading the lake back', 120_000, assertLakeHolds(lake, expected));
  const readers = await step('PyIceberg and DuckDB reading the lake', 180_000, readGraphAggregates(['--rest', uri, 'graph']));
  for (const [reader, view] of Object.entries(readers)) assertGraphEqualsOracle(view, expected, reader);
  privateServices.passed();
}));
