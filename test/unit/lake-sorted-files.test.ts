import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { syntheticEdges } from '../../bench/edge-table.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { deserializeSingleValue } from '../../src/lake/spec/single-value.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { MAX_ROW_GROUP_ROWS } from '../../src/lake/parquet/encode-worker.js';
import { fieldByName } from '../../src/lake/spec/schema.js';
import { arrowSchemaOf, EDGES_PARTITION_SPEC, EDGES_SCHEMA, EDGES_SORT_ORDER, REJECTED_SCHEMA } from '../../src/lake/tables.js';
import { partitionRows } from '../../src/lake/write/partition-rows.js';
import { sortPartitionGroups } from '../../src/lake/write/sort-rows.js';
import { localPath } from '../../src/lake/io/local-file-io.js';

const root = await mkdtemp(join(tmpdir(), 'lake-sorted-'));
after(() => rm(root, { recursive: true, force: true }));
const catalog = new FilesystemCatalog(root);
const duckdb = await (await DuckDBInstance.create(':memory:')).connect();

const UNPARTITIONED = { 'spec-id': 0, fields: [] };

async function sql(query: string): Promise<Record<string, unknown>[]> {
  return (await duckdb.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
}

/** (src_id as UTF-8 bytes, last_seen) strictly by the Iceberg/Parquet order. */
function compareKeys(a: { src: Buffer; lastSeen: bigint }, b: { src: Buffer; lastSeen: bigint }): number {
  return Buffer.compare(a.src, b.src) || (a.lastSeen < b.lastSeen ? -1 : a.lastSeen > b.lastSeen ? 1 : 0);
}

async function fileKeys(path: string): Promise<{ src: Buffer; lastSeen: bigint }[]> {
  const rows = await sql(`SELECT src_id, epoch_us(last_seen) AS us FROM read_parquet('${path}')`);
  return rows.map((r) => ({ src: Buffer.from(r.src_id as string), lastSeen: BigInt(r.us as bigint) }));
}

async function writeAndCommit(name: string, partitionSpec: typeof EDGES_PARTITION_SPEC | typeof UNPARTITIONED, rows: arrow.Table) {
  const table = await Table.ensure(catalog, { namespace: ['graph'], name }, { schema: EDGES_SCHEMA, partitionSpec, sortOrder: EDGES_SORT_ORDER });
  const written = await writeDataFiles(table, rows);
  await table.newAppend().addFiles(written).commit();
  return { table, written };
}

describe('sorted data files', () => {
  it('orders every partition file by src_id, then last_seen, keeping every row', async () => {
    const rows = syntheticEdges(150_000, 7); // several 64k-row input batches
    const { written } = await writeAndCommit('edges_partitioned', EDGES_PARTITION_SPEC, rows);
    assert.ok(written.length >= 8, `expected a file per bucket at least, got ${written.length}`);

    const back: string[] = [];
    for (const file of written) {
      const path = localPath(file.filePath);
      const keys = await fileKeys(path);
      for (let i = 1; i < keys.length; i++) assert.ok(compareKeys(keys[i - 1], keys[i]) <= 0, `${file.filePath}: row ${i} out of order`);
      const read = await sql(`SELECT * FROM read_parquet('${path}')`);
      assert.equal(read.length, Number(file.recordCount));
      back.push(...read.map((r) => r.dst_id as string));
    }
    assert.deepEqual(back.sort(), rows.getChild('dst_id')!.toArray().sort());
  });

  it('splits a large file into bounded row groups with disjoint src_id ranges, and whole-file metrics', async () => {
    const rowCount = 3 * MAX_ROW_GROUP_ROWS + 1234;
    const rows = syntheticEdges(rowCount, 11);
    const { written } = await writeAndCommit('edges_unpartitioned', UNPARTITIONED, rows);
    assert.equal(written.length, 1);
    const [file] = written;
    const path = localPath(file.filePath);

    const groups = await sql(
      `SELECT row_group_id, row_group_num_rows AS n, stats_min_value AS lo, stats_max_value AS hi
       FROM parquet_metadata('${path}') WHERE path_in_schema = 'src_id' ORDER BY row_group_id`,
    );
    assert.equal(groups.length, 4);
    assert.deepEqual(groups.map((g) => Number(g.n)), [MAX_ROW_GROUP_ROWS, MAX_ROW_GROUP_ROWS, MAX_ROW_GROUP_ROWS, 1234]);
    for (let g = 1; g < groups.length; g++) {
      // Sorted, so a member's rows sit in one group (or straddle one boundary): min/max prune the rest.
      assert.ok(Buffer.compare(Buffer.from(groups[g - 1].hi as string), Buffer.from(groups[g].lo as string)) <= 0);
    }

    const srcId = fieldByName(EDGES_SCHEMA, 'src_id').id;
    assert.equal(file.metrics.valueCounts.get(srcId), BigInt(rowCount));
    const [{ lo, hi }] = await sql(`SELECT min(src_id) AS lo, max(src_id) AS hi FROM read_parquet('${path}')`);
    assert.equal(deserializeSingleValue('string', file.metrics.lowerBounds.get(srcId)!), lo);
    assert.equal(deserializeSingleValue('string', file.metrics.upperBounds.get(srcId)!), hi);

    let events = 0n;
    for (const data of rows.getChild('event_count')!.data) for (const v of data.values as BigInt64Array) events += v;
    const [{ n, total }] = await sql(`SELECT count(*) AS n, sum(event_count)::BIGINT AS total FROM read_parquet('${path}')`);
    assert.equal(Number(n), rowCount);
    assert.equal(BigInt(total as bigint), events);
  });

  it('records the sort order on the files in the manifest', async () => {
    const { table } = await writeAndCommit('edges_manifest', EDGES_PARTITION_SPEC, syntheticEdges(2_000, 3));
    const plan = await planFiles(table.io, table.metadata);
    assert.ok(plan.files.length > 0);
    for (const file of plan.files) assert.equal(file.sortOrderId, EDGES_SORT_ORDER['order-id']);
  });

  it('sorts descending with nulls last across batches, ties broken by the next field', () => {
    const schema = arrowSchemaOf(REJECTED_SCHEMA);
    const keyOf = (i: number) => (i % 4 === 0 ? null : new Uint8Array([i % 3, 200 + (i % 2)]));
    const batch = (from: number, to: number) => {
      const ids = Array.from({ length: to - from }, (_, k) => from + k);
      const columns = [
        arrow.vectorFromArray(ids.map(() => 't'), new arrow.Utf8()),
        arrow.vectorFromArray(ids.map(() => 0), new arrow.Int32()),
        arrow.vectorFromArray(ids.map((i) => BigInt((i * 37) % 11) - 5n), new arrow.Int64()),
        arrow.vectorFromArray(ids.map(keyOf), new arrow.Binary()),
        arrow.vectorFromArray(ids.map((i) => new Uint8Array([i])), new arrow.Binary()),
        arrow.vectorFromArray(ids.map(() => 'r'), new arrow.Utf8()),
        arrow.vectorFromArray(ids.map(() => 0), new arrow.TimestampMicrosecond('UTC')),
      ];
      const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: ids.length, children: columns.map((c) => c.data[0]) });
      return new arrow.RecordBatch(schema, struct);
    };
    const rows = new arrow.Table([batch(0, 30), batch(30, 50)]);
    const field = (name: string) => fieldByName(REJECTED_SCHEMA, name).id;
    const order = {
      'order-id': 1,
      fields: [
        { transform: 'identity', 'source-id': field('key'), direction: 'desc', 'null-order': 'nulls-last' },
        { transform: 'identity', 'source-id': field('offset'), direction: 'asc', 'null-order': 'nulls-first' },
      ],
    } as const;
    const groups = partitionRows(rows, REJECTED_SCHEMA, UNPARTITIONED);
    sortPartitionGroups(rows, REJECTED_SCHEMA, order, groups);

    const ids = Array.from({ length: 50 }, (_, i) => i);
    const offsetOf = (i: number) => BigInt((i * 37) % 11) - 5n;
    const expected = ids.sort((a, b) => {
      const ka = keyOf(a), kb = keyOf(b);
      if (ka === null || kb === null) return ka === kb ? Number(offsetOf(a) - offsetOf(b)) : ka === null ? 1 : -1;
      return -Buffer.compare(ka, kb) || Number(offsetOf(a) - offsetOf(b));
    });
    const actual = Array.from(groups.batchOf, (b, p) => b * 30 + groups.rowOf[p]);
    // Rows equal in both keys may come in either order; compare the keys row by row.
    assert.deepEqual(actual.map((i) => [keyOf(i), offsetOf(i)]), expected.map((i) => [keyOf(i), offsetOf(i)]));
  });
});
