/**
 * Schema evolution on the filesystem catalog (evolve-schema.ts): a graph.nodes table made
 * before `props_ts` gains it in place with a new field id, never a reused one; racing
 * writers both succeed; our readers and compaction read old files' rows as null there and
 * take a node's props from its row with the greatest props_ts (docs/CONTRACTS.md §3); forget
 * rewrites old files in the current schema.
 * The same against the REST catalog, PyIceberg and DuckDB: test/integration/ingest-props-ts.test.ts.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableIdentifier } from '../../src/lake/catalog/catalog.js';
import type { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { fieldByName, type Schema } from '../../src/lake/spec/schema.js';
import { currentSchema } from '../../src/lake/spec/table-metadata.js';
import { evolveSchema } from '../../src/lake/table/evolve-schema.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { NODES_SCHEMA } from '../../src/lake/tables.js';
import { memberRows } from '../../src/maintenance/forget/member-rows.js';
import { purgeTable } from '../../src/maintenance/forget/purge-table.js';
import { rewriteDataFiles } from '../../src/maintenance/rewrite-data-files.js';
import { RowMerger } from '../../src/maintenance/row-merger.js';
import { QuerySession } from '../../src/query/query-session.js';
import { runLibraryQuery } from '../../src/query/sql-library.js';
import { nodesTable } from '../../src/stream/batch/nodes-table.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { GraphWindow } from '../../src/stream/window/graph-window.js';
import { createPreviousNodesTable, PREVIOUS_NODES_SCHEMA, type PreviousNodeRow } from '../support/previous-nodes-table.js';
import { answerLosingCatalog, scratchCatalogs } from './lake-fixtures.js';

const newCatalog = await scratchCatalogs('lake-evolve-schema-');

const NODES: TableIdentifier = { namespace: ['graph'], name: 'nodes' };
let catalog: FilesystemCatalog;
beforeEach(() => {
  catalog = newCatalog();
});

const device = (node_id: string, last_seen: number, app_version: string | null): PreviousNodeRow => ({
  node_type: 'device', node_id, first_seen: last_seen - 10, last_seen, event_count: 1,
  props: app_version === null ? null : JSON.stringify({ type: 'tv', app_version }), source_topic: 'app.session',
});

/** Appends the rows of one window of device observations, as ingest writes them now. */
async function appendWindow(table: Table, observations: Array<[id: string, ts: number, appVersion: string | null]>): Promise<void> {
  const window = new GraphWindow();
  const sink = window.sinkFor('app.session');
  for (const [id, ts, appVersion] of observations) sink.node('device', id, ts, appVersion === null ? null : { type: 'tv', app_version: appVersion });
  await table.newAppend().addFiles(await writeDataFiles(table, nodesTable(window.nodeRows()))).commit();
}

type Rows = Record<string, unknown>[];

/** Runs `work` on a query session's connection (views `edges`, `nodes`, … over the current snapshots). */
async function withSession<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  await openGraphTables(catalog); // the other graph tables, which a session reads too
  const session = await QuerySession.open({ catalog });
  try {
    return await session.query(({ connection }) => work(connection));
  } finally {
    await session.close();
  }
}

const readNodes = (sql: string) => withSession(async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Rows);

const propsTsField = (schema: Schema) => fieldByName(schema, 'props_ts');

describe('evolving graph.nodes to props_ts', () => {
  it('adds the column with the next field id, once; old rows read it as null, new files carry the id', async () => {
    const table = await createPreviousNodesTable(catalog, NODES, [device('d-old', 1_000, '1')]);
    assert.equal(table.metadata['last-column-id'], 7);

    assert.deepEqual(await evolveSchema(table, NODES_SCHEMA), [8]);
    const evolved = (await Table.load(catalog, NODES)).metadata;
    assert.equal(evolved['last-column-id'], 8);
    assert.deepEqual(evolved.schemas.map((s) => s['schema-id']), [0, 1]);
    assert.equal(evolved['current-schema-id'], 1);
    assert.deepEqual(evolved.schemas[0], PREVIOUS_NODES_SCHEMA, 'the old schema stays as it was');
    assert.deepEqual(propsTsField(currentSchema(evolved)), { id: 8, name: 'props_ts', type: 'timestamptz', required: false });

    const versions = evolved['metadata-log'].length;
    assert.deepEqual(await evolveSchema(table, NODES_SCHEMA), [], 'nothing left to add');
    assert.equal((await Table.load(catalog, NODES)).metadata['metadata-log'].length, versions, 'and nothing committed');

    await appendWindow(table, [['d-new', 2_000, '2'], ['d-bare', 2_000, null]]);
    const newFile = (await planFiles(table.io, table.metadata)).files.find((f) => f.metrics.valueCounts.has(8));
    assert.ok(newFile !== undefined, "the new file's manifest entry has metrics for field 8");
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const ids = (await connection.runAndReadAll(`SELECT name, field_id FROM parquet_schema('${newFile.filePath}') WHERE name = 'props_ts'`)).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    assert.deepEqual(ids, [{ name: 'props_ts', field_id: '8' }]);

    const rows = await readNodes('SELECT node_id, epoch_ms(props_ts) AS props_ts FROM nodes ORDER BY node_id');
    assert.deepEqual(rows, [{ node_id: 'd-bare', props_ts: null }, { node_id: 'd-new', props_ts: '2000' }, { node_id: 'd-old', props_ts: null }]);
  });

  it('never reuses a field id, keeps columns the table has beyond lakegraph\'s, and writes files without them', async () => {
    const table = await createPreviousNodesTable(catalog, NODES, [device('d-old', 1_000, '1')]);
    // Another engine added a column first.
    const withNote: Schema = { ...PREVIOUS_NODES_SCHEMA, fields: [...PREVIOUS_NODES_SCHEMA.fields, { id: 0, name: 'note', type: 'string', required: false }] };
    assert.deepEqual(await evolveSchema(table, withNote), [8]);
    assert.deepEqual(await evolveSchema(table, NODES_SCHEMA), [9]);
    assert.deepEqual(currentSchema(table.metadata).fields.slice(7).map((f) => [f.name, f.id]), [['note', 8], ['props_ts', 9]]);
    assert.equal(table.metadata['last-column-id'], 9);

    await appendWindow(table, [['d-new', 2_000, '2']]);
    const rows = await readNodes('SELECT node_id, props, epoch_ms(props_ts) AS props_ts FROM nodes ORDER BY node_id');
    assert.deepEqual(rows, [
      { node_id: 'd-new', props: '{"type":"tv","app_version":"2"}', props_ts: '2000' },
      { node_id: 'd-old', props: '{"type":"tv","app_version":"1"}', props_ts: null },
    ]);
  });

  it('writers racing to add the column both succeed: one adds it, the other finds it there', async () => {
    await createPreviousNodesTable(catalog, NODES, []);
    const [a, b] = await Promise.all([Table.load(catalog, NODES), Table.load(catalog, NODES)]);
    const added = await Promise.all([evolveSchema(a, NODES_SCHEMA), evolveSchema(b, NODES_SCHEMA)]);
    assert.deepEqual(added.map((ids) => ids.length).sort(), [0, 1]);
    const final = (await Table.load(catalog, NODES)).metadata;
    assert.equal(final.schemas.length, 2);
    assert.deepEqual(currentSchema(final).fields.map((f) => f.name), NODES_SCHEMA.fields.map((f) => f.name));
    assert.equal(propsTsField(currentSchema(a.metadata)).id, 8);
    assert.equal(propsTsField(currentSchema(b.metadata)).id, 8);
  });

  it('a commit whose answer was lost counts as done when the column is there', async () => {
    await createPreviousNodesTable(catalog, NODES, []);
    const table = await Table.load(answerLosingCatalog(catalog), NODES);
    assert.deepEqual(await evolveSchema(table, NODES_SCHEMA), [8]);
    assert.equal(propsTsField(currentSchema(table.metadata)).id, 8);
  });

  it('refuses to add a required column', async () => {
    const table = await createPreviousNodesTable(catalog, NODES, []);
    const required: Schema = { ...NODES_SCHEMA, fields: NODES_SCHEMA.fields.map((f) => (f.name === 'props_ts' ? { ...f, required: true } : f)) };
    await assert.rejects(evolveSchema(table, required), /no column props_ts, and a required column cannot be added/);
  });

  it('a device\'s props come from its row with the greatest props_ts, old rows lowest; compaction keeps them and their props_ts', async () => {
    const table = await createPreviousNodesTable(catalog, NODES, [
      // Before props_ts: the newest last_seen wins among these rows, and any row with props_ts beats them.
      device('d-mixed', 5_000, 'old-latest-row'),
      device('d-old', 300, 'older'),
      device('d-old', 400, 'newer'),
      device('d-old', 450, null),
    ]);
    await evolveSchema(table, NODES_SCHEMA);
    // Out of order across and within windows: the props of ts 300 are the latest.
    await appendWindow(table, [['d-mixed', 300, '3'], ['d-mixed', 100, '1'], ['d-mixed', 900, null]]);
    await appendWindow(table, [['d-mixed', 200, '2'], ['d-mixed', 950, null], ['d-old', 460, null]]);

    const expected = [
      { device_id: 'd-mixed', app_version: '3', props_ts: '300' },
      { device_id: 'd-old', app_version: 'newer', props_ts: null },
    ];
    const library = () => withSession(async (connection) =>
      (await runLibraryQuery(connection, 'device_props', { device_id: null })).map((r) => ({
        device_id: r['device_id'], app_version: r['app_version'], props_ts: r['props_ts'] === null ? null : String(Date.parse(r['props_ts'] as string)),
      })),
    );
    assert.deepEqual(await library(), expected, 'sql/device_props.sql before compaction');

    const merger = await RowMerger.open();
    try {
      const result = await rewriteDataFiles(table, 'nodes', merger, { targetFileBytes: 64 << 20, dryRun: false });
      assert.equal(result.rowsRewritten, 7n, 'every row of both devices');
    } finally {
      await merger.close();
    }
    const merged = await readNodes("SELECT node_id, props ->> 'app_version' AS app_version, epoch_ms(props_ts) AS props_ts, epoch_ms(last_seen) AS last_seen, event_count FROM nodes ORDER BY node_id");
    assert.deepEqual(merged, [
      { node_id: 'd-mixed', app_version: '3', props_ts: '300', last_seen: '5000', event_count: '6' },
      { node_id: 'd-old', app_version: 'newer', props_ts: null, last_seen: '460', event_count: '4' },
    ]);
    assert.deepEqual(await library(), expected, 'and after');
  });

  it("forget rewrites a file written before props_ts in the current schema: the member's rows go, the others read null there", async () => {
    const member = (node_id: string, last_seen: number): PreviousNodeRow => ({ ...device(node_id, last_seen, null), node_type: 'account' });
    const table = await createPreviousNodesTable(catalog, NODES, [member('acc-gone', 100), device('d-kept', 200, 'kept'), member('acc-other', 300)]);
    await evolveSchema(table, NODES_SCHEMA);
    const merger = await RowMerger.open();
    try {
      const result = await purgeTable(table, merger, async () => memberRows('nodes', { account: 'acc-gone', profiles: [] }), { dryRun: false, forgottenVersion: '1' });
      assert.equal(result.rowsRemoved, 1n);
      assert.equal(result.filesWritten, 1);
    } finally {
      await merger.close();
    }
    // Partitioned by node_type: the device file is untouched, the account file rewritten.
    const live = (await planFiles(table.io, table.metadata)).files;
    assert.deepEqual(live.map((f) => f.metrics.valueCounts.has(8)).sort(), [false, true], 'the new file carries props_ts by its field id');
    const rows = await readNodes("SELECT node_type, node_id, props ->> 'app_version' AS app_version, props_ts FROM nodes ORDER BY node_id");
    assert.deepEqual(rows, [
      { node_type: 'account', node_id: 'acc-other', app_version: null, props_ts: null },
      { node_type: 'device', node_id: 'd-kept', app_version: 'kept', props_ts: null },
    ]);
  });
});
