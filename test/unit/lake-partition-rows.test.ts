import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as arrow from 'apache-arrow';
import { applyTransform, parseTransform } from '../../src/lake/spec/transforms.js';
import { fieldById } from '../../src/lake/spec/schema.js';
import { arrowSchemaOf, EDGES_PARTITION_SPEC, EDGES_SCHEMA, NODES_PARTITION_SPEC, NODES_SCHEMA } from '../../src/lake/tables.js';
import { gatherRows } from '../../src/lake/write/gather-rows.js';
import { partitionRows } from '../../src/lake/write/partition-rows.js';

const HOUR = 3_600_000_000n;
const base = BigInt(Date.parse('2025-11-26T00:00:00Z')) * 1000n;

function vector(type: arrow.DataType, values: readonly unknown[]): arrow.Vector {
  if (arrow.DataType.isUtf8(type)) return arrow.vectorFromArray(values as (string | null)[], type);
  const typed = BigInt64Array.from(values as bigint[]);
  return arrow.makeVector(arrow.makeData({ type, length: typed.length, data: typed } as never));
}

/** A table in `arrowSchemaOf(schema)` from row-major values, split into batches of `batchSize` rows. */
function tableOf(schema: typeof EDGES_SCHEMA, rows: unknown[][], batchSize: number): arrow.Table {
  const arrowSchema = arrowSchemaOf(schema);
  const batches: arrow.RecordBatch[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const slice = rows.slice(start, start + batchSize);
    const children = arrowSchema.fields.map((f, c) => vector(f.type, slice.map((r) => r[c])).data[0]);
    const struct = arrow.makeData({ type: new arrow.Struct(arrowSchema.fields), length: slice.length, children });
    batches.push(new arrow.RecordBatch(arrowSchema, struct));
  }
  return new arrow.Table(batches);
}

const edgeRow = (i: number): unknown[] => [
  'watched', 'profile', `p-${i % 5}`, 'title', `t-${i}`, base + BigInt(i) * HOUR, base + BigInt(i) * 7n * HOUR, BigInt(i), 'app.playback',
];

/** Rows as comparable plain values (timestamps as raw micros). */
function plainRows(table: arrow.Table): unknown[][] {
  const columns = table.schema.fields.map((f) => {
    const vector = table.getChild(f.name)!;
    return arrow.DataType.isTimestamp(f.type) ? vector.data.flatMap((d) => [...(d.values as BigInt64Array)]) : [...vector];
  });
  return Array.from({ length: table.numRows }, (_, r) => columns.map((c) => c[r]));
}

describe('partitionRows', () => {
  it('groups every row under the transform values the scalar transforms give', () => {
    const rows = Array.from({ length: 40 }, (_, i) => edgeRow(i));
    const table = tableOf(EDGES_SCHEMA, rows, 16);
    const groups = partitionRows(table, EDGES_SCHEMA, EDGES_PARTITION_SPEC);
    assert.equal(groups.starts[groups.partitions.length], rows.length);
    const seen = new Set<string>();
    for (let g = 0; g < groups.partitions.length; g++) {
      for (let p = groups.starts[g]; p < groups.starts[g + 1]; p++) {
        const row = rows[groups.batchOf[p] * 16 + groups.rowOf[p]];
        const expected = EDGES_PARTITION_SPEC.fields.map((f) => {
          const source = fieldById(EDGES_SCHEMA, f['source-id']);
          return applyTransform(parseTransform(f.transform), source.type, row[source.id - 1] as string | bigint);
        });
        assert.deepEqual(groups.partitions[g], expected);
        seen.add(`${groups.batchOf[p]}:${groups.rowOf[p]}`);
      }
    }
    assert.equal(seen.size, rows.length, 'each row exactly once');
    assert.ok(groups.partitions.length > 10, 'rows spread over many days and buckets');
  });
});

describe('gatherRows', () => {
  it('copies the selected rows of every column, across batches, keeping nulls', () => {
    const nodeRows = Array.from({ length: 30 }, (_, i) => [
      'device', `d-${i}`, base, base + BigInt(i), BigInt(i), i % 3 === 0 ? null : `{"os":"v${i}"}`, 'app.session', base + BigInt(i),
    ]);
    const table = tableOf(NODES_SCHEMA, nodeRows, 7);
    const groups = partitionRows(table, NODES_SCHEMA, NODES_PARTITION_SPEC);
    const expectedRows: unknown[][] = [];
    const gatheredRows: unknown[][] = [];
    for (let g = 0; g < groups.partitions.length; g++) {
      const start = groups.starts[g];
      const end = groups.starts[g + 1];
      const gathered = gatherRows(table, { ...groups, start, end });
      assert.equal(gathered.numRows, end - start);
      gatheredRows.push(...plainRows(gathered));
      for (let p = start; p < end; p++) expectedRows.push(nodeRows[groups.batchOf[p] * 7 + groups.rowOf[p]]);
    }
    assert.deepEqual(gatheredRows, expectedRows);
    assert.equal(gatheredRows.filter((r) => r[5] === null).length, 10);
  });
});
