/**
 * `graph.nodes.props_ts` (docs/CONTRACTS.md §3) on a lake an older lakegraph made.
 *
 * Filesystem catalog, real broker: graph.nodes starts in the previous schema (no
 * props_ts) holding the nodes of an earlier stretch of events; two `lakegraph ingest`
 * processes for two topics start on it together, one of them again after a restart. The
 * table gains props_ts once, as field id 8; PyIceberg and DuckDB see the column, null in
 * the old rows; and every device's props are those of its latest device object by `ts`
 * over all the events, topics, windows and the restart — as PyIceberg reads graph.nodes
 * (its own pick of the row with the greatest props_ts) and DuckDB iceberg_scan runs
 * sql/device_props.sql, before and after `lakegraph compact`; and as `lakegraph sql` runs
 * it over the snapshot ∪ the Kafka tail (before the restart's ingest) and after compaction.
 *
 * REST catalog (the shared one): the same evolution committed through the server by two
 * writers racing, then read back by PyIceberg and DuckDB through the catalog.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { fieldByName } from '../../src/lake/spec/schema.js';
import { currentSchema } from '../../src/lake/spec/table-metadata.js';
import { evolveSchema } from '../../src/lake/table/evolve-schema.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { NAMESPACE, NODES_SCHEMA } from '../../src/lake/tables.js';
import { nodesTable } from '../../src/stream/batch/nodes-table.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { GraphWindow } from '../../src/stream/window/graph-window.js';
import { runCli } from '../support/cli-process.js';
import { assertLakeHolds, BROKERS, createTopic, oracleOf, runIngest, testKafka, uniqueName, withScratch } from '../support/ingest-harness.js';
import { deleteFilesUnder } from '../support/lake-files.js';
import { oracleDeviceProps, type OracleResult } from '../support/oracle.js';
import { createPreviousNodesTable, type PreviousNodeRow } from '../support/previous-nodes-table.js';
import { CATALOG_URI, REPO_ROOT, runPython } from '../support/services.js';

const PARTITIONS = 2;
const BASE_TS = Date.UTC(2026, 1, 3, 8);
const SPAN_MS = 20 * 60_000;

/** A device's props and props_ts (epoch µs, null in rows written before the column) as a reader gives them. */
type DeviceProps = Record<string, [props: string, propsTs: number | null]>;

interface NodePropsView {
  pyiceberg: { field_id: number; required: boolean; rows: number; props_without_ts: number; devices: DeviceProps; wrong_by_last_seen: number };
  duckdb: { columns: string[]; props_without_ts: number; devices: DeviceProps };
}

const readNodeProps = (args: readonly string[]) => runPython<NodePropsView>({ script: 'test/integration/node_props.py' }, args);

/** The rows an older lakegraph left for `earlier`'s nodes (one per node, as after its compaction) under `topic`. */
function previousRows(earlier: OracleResult, topic: string): PreviousNodeRow[] {
  return [...earlier.nodes.values()].map(({ node_type, node_id, first_seen, last_seen, event_count, props }) => ({ node_type, node_id, first_seen, last_seen, event_count, props, source_topic: topic }));
}

/** Device props the lake must give: the latest of all events; props_ts null where they came from the old rows only. */
function expectedDeviceProps(all: OracleResult, later: OracleResult): DeviceProps {
  const fromLater = oracleDeviceProps(later);
  return Object.fromEntries([...oracleDeviceProps(all)].map(([device, { props, props_ts }]) => [device, [props, fromLater.has(device) ? props_ts * 1000 : null]]));
}

function assertReaders(view: NodePropsView, expected: DeviceProps, oldRowsWithProps: number, when: string): void {
  assert.equal(view.pyiceberg.field_id, 8, `${when}: PyIceberg sees props_ts as field 8`);
  assert.equal(view.pyiceberg.required, false);
  assert.ok(view.duckdb.columns.includes('props_ts'), `${when}: DuckDB iceberg_scan has props_ts`);
  assert.deepEqual(view.pyiceberg.devices, expected, `${when}: PyIceberg's device props`);
  assert.deepEqual(view.duckdb.devices, expected, `${when}: sql/device_props.sql over DuckDB iceberg_scan`);
  assert.equal(view.duckdb.props_without_ts, view.pyiceberg.props_without_ts);
  assert.ok(view.pyiceberg.props_without_ts <= oldRowsWithProps && view.pyiceberg.props_without_ts > 0, `${when}: only old rows have props without props_ts`);
}

/** sql/device_props.sql run by `lakegraph sql`: over the snapshot and the tail of `topic` (the shared broker's contract topics hold other tests' events). */
async function lakegraphDeviceProps(warehouse: string, topic: string, contract: string): Promise<DeviceProps> {
  const run = await runCli(['sql', '-f', join(REPO_ROOT, 'sql/device_props.sql'), '--warehouse', warehouse, '--json', '--brokers', BROKERS, '--topic', topic, '--contract', contract]);
  assert.equal(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Array<{ device_id: string; props: string; props_ts: string | null }>;
  return Object.fromEntries(rows.map((r) => [r.device_id, [r.props, r.props_ts === null ? null : Date.parse(r.props_ts) * 1000]]));
}

const restTable = { namespace: [NAMESPACE], name: `rest_props_ts_${randomBytes(4).toString('hex')}` };
after(async () => {
  const admin = new IcebergRestCatalog({ baseUrl: CATALOG_URI });
  const location = await admin.loadTable(restTable).then((m) => m.location, () => undefined);
  if (location === undefined) return;
  await admin.dropTable(restTable, { purge: false });
  await deleteFilesUnder(location);
});

// Independent lakes: the REST case runs while ingest waits on Kafka.
describe('graph.nodes.props_ts on tables made before it', { concurrency: true }, () => {
  it('an old graph.nodes gains props_ts under ingest; device props are the latest by ts across topics, windows, a restart and compaction', { timeout: 300_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
    const kafka = testKafka();
    const topics = { 'app.session': uniqueName('it.props.session'), 'app.playback': uniqueName('it.props.playback') } as const;
    const contracts = Object.keys(topics) as Array<keyof typeof topics>;
    await Promise.all(contracts.map((contract) => createTopic(kafka, topics[contract], PARTITIONS)));
    const generate = (seed: number, baseTs: number) => [...new RecordGenerator({ events: 6_000, seed, topics: contracts, partitions: PARTITIONS, accounts: 50, dupRatio: 0.03, badRatio: 0, spanMs: SPAN_MS, baseTs, jitterMs: 60_000 })];
    const ofTopic = (records: ReturnType<typeof generate>, contract: string) => records.filter((r) => r.topic === contract);

    // What an older lakegraph held: the nodes of an earlier stretch, in the previous schema.
    const earlier = generate(41, BASE_TS - 2 * SPAN_MS);
    const earlierTruth = oracleOf(contracts.map((contract) => ({ contract, records: ofTopic(earlier, contract) })));
    const oldRows = previousRows(earlierTruth, topics['app.session']);
    await createPreviousNodesTable(new FilesystemCatalog(warehouse), { namespace: [NAMESPACE], name: 'nodes' }, oldRows);

    const later = generate(42, BASE_TS);
    const session = ofTopic(later, 'app.session');
    const playback = ofTopic(later, 'app.playback');
    const ingest = (contract: keyof typeof topics) =>
      runIngest(['--topic', topics[contract], '--contract', contract, '--warehouse', warehouse, '--commit-interval-ms', '150', '--exit-when-idle-ms', '1500'], { exit: 0 }, {}, log(contract));
    const half = Math.floor(session.length / 2);
    await produceRecords(kafka, topics['app.session'], session.slice(0, half));
    await produceRecords(kafka, topics['app.playback'], playback);
    // Both jobs open the old table at once: one adds the column, the other finds it.
    await Promise.all([ingest('app.session'), ingest('app.playback')]);

    const laterTruth = oracleOf([{ contract: 'app.session', records: session }, { contract: 'app.playback', records: playback }]);
    const allTruth = oracleOf(contracts.map((contract) => ({ contract, records: [...ofTopic(earlier, contract), ...ofTopic(later, contract)] })));
    const expected = expectedDeviceProps(allTruth, laterTruth);
    const oldRowsWithProps = oldRows.filter((r) => r.props !== null).length;
    const lakegraphSql = () => lakegraphDeviceProps(warehouse, topics['app.session'], 'app.session');

    await produceRecords(kafka, topics['app.session'], session.slice(half));
    // The second half is in Kafka only: lakegraph's hot tier gives its rows props_ts too.
    assert.deepEqual(await lakegraphSql(), expected, 'lakegraph sql -f sql/device_props.sql over the snapshot ∪ the tail');
    await ingest('app.session');

    const metadata = await new FilesystemCatalog(warehouse).loadTable({ namespace: [NAMESPACE], name: 'nodes' });
    assert.deepEqual(metadata.schemas.map((s) => s['schema-id']), [0, 1], 'evolved once');
    assert.equal(metadata['last-column-id'], 8);
    assert.deepEqual(fieldByName(currentSchema(metadata), 'props_ts'), { id: 8, name: 'props_ts', type: 'timestamptz', required: false });

    // The lake's edges are the later events' only: the old lakegraph's edges are not part of this test.
    await assertLakeHolds(warehouse, { ...allTruth, edges: laterTruth.edges });

    const before = await readNodeProps([join(warehouse, 'graph/nodes')]);
    assertReaders(before, expected, oldRowsWithProps, 'before compaction');
    assert.equal(before.pyiceberg.props_without_ts, oldRowsWithProps, 'every old row reads props_ts as null');
    t.diagnostic(`${Object.keys(expected).length} devices with props over ${before.pyiceberg.rows} node rows; the newest row's props would be wrong for ${before.pyiceberg.wrong_by_last_seen}`);
    assert.ok(before.pyiceberg.wrong_by_last_seen > 0, 'the rows exercise props that are not those of the newest row');

    const compact = await runCli(['compact', '--warehouse', warehouse]);
    assert.equal(compact.code, 0, compact.stderr);
    const compacted = await readNodeProps([join(warehouse, 'graph/nodes')]);
    assert.ok(compacted.pyiceberg.rows < before.pyiceberg.rows, 'compaction merged rows');
    assertReaders(compacted, expected, oldRowsWithProps, 'after compaction');
    assert.deepEqual(await lakegraphSql(), expected, 'lakegraph sql after compaction');
    await assertLakeHolds(warehouse, { ...allTruth, edges: laterTruth.edges });
  }));

  it('REST catalog: two writers race to add props_ts; PyIceberg and DuckDB read the new field id, old rows null', { timeout: 120_000 }, async () => {
    const device = (node_id: string, ts: number, app_version: string): PreviousNodeRow => ({
      node_type: 'device', node_id, first_seen: ts, last_seen: ts + 50, event_count: 2, props: JSON.stringify({ app_version }), source_topic: 'app.session',
    });
    await createPreviousNodesTable(new RestCatalog({ uri: CATALOG_URI }), restTable, [device('d-1', BASE_TS, 'old'), device('d-2', BASE_TS, 'old')]);
    const [a, b] = await Promise.all([Table.load(new RestCatalog({ uri: CATALOG_URI }), restTable), Table.load(new RestCatalog({ uri: CATALOG_URI }), restTable)]);
    const added = await Promise.all([evolveSchema(a, NODES_SCHEMA), evolveSchema(b, NODES_SCHEMA)]);
    assert.deepEqual(added.map((ids) => ids.join()).sort(), ['', '8'], 'one writer added field 8, the other found it');
    assert.equal(a.metadata['last-column-id'], 8);

    const window = new GraphWindow();
    window.sinkFor('app.session').node('device', 'd-1', BASE_TS + 1_000, { app_version: 'new' });
    await a.newAppend().addFiles(await writeDataFiles(a, nodesTable(window.nodeRows()))).commit();

    const view = await readNodeProps(['--rest', CATALOG_URI, `${NAMESPACE}.${restTable.name}`]);
    const expected: DeviceProps = { 'd-1': ['{"app_version":"new"}', (BASE_TS + 1_000) * 1000], 'd-2': ['{"app_version":"old"}', null] };
    assert.equal(view.pyiceberg.field_id, 8);
    assert.ok(view.duckdb.columns.includes('props_ts'));
    assert.equal(view.pyiceberg.props_without_ts, 2, 'the two old rows read null');
    assert.deepEqual(view.pyiceberg.devices, expected);
    assert.deepEqual(view.duckdb.devices, expected);
  });
});
