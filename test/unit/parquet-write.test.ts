import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalFileIO } from '../../src/lake/io/local-file-io.js';
import { writeParquetFile, type WrittenDataFile } from '../../src/lake/parquet/write-parquet.js';
import { EDGES_SCHEMA, NODES_SCHEMA, REJECTED_SCHEMA, arrowSchemaOf } from '../../src/lake/tables.js';
import type { Schema } from '../../src/lake/spec/schema.js';
import { optionalTimestamptzColumn } from '../../src/stream/batch/columns.js';

let dir: string;
const io = new LocalFileIO();
let duck: DuckDBInstance;
let db: DuckDBConnection;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-parquet-'));
  duck = await DuckDBInstance.create(':memory:');
  db = await duck.connect();
});

after(async () => {
  db.closeSync();
  duck.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function rows(sql: string) {
  return (await db.runAndReadAll(sql)).getRowObjectsJS();
}

const utf8 = (values: ReadonlyArray<string | null>) => arrow.vectorFromArray(values, new arrow.Utf8());
const binary = (values: ReadonlyArray<Uint8Array | null>) => arrow.vectorFromArray(values, new arrow.Binary());
const int32 = (values: readonly number[]) => arrow.makeVector(Int32Array.from(values));
const int64 = (values: readonly bigint[]) => arrow.makeVector(BigInt64Array.from(values));
const micros = (values: readonly bigint[]) =>
  arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: values.length, data: BigInt64Array.from(values) }));

/** Rejected-events rows covering every column kind, with nulls, negatives and non-ASCII text. */
function rejectedRows(first: number): arrow.Table {
  // U+FF70 sorts below U+1F600 by code point but above it in UTF-16 units, and 'é' (0xC3 0xA9)
  // must sort above ASCII after a shared prefix: bounds follow unsigned UTF-8 bytes.
  const reasons = ['bad json', 'bé', 'ｰ halfwidth', '😀 a', '😀 é', 'Ä umlaut', 'z last ascii'];
  const n = reasons.length;
  const index = Array.from({ length: n }, (_, i) => first + i);
  return new arrow.Table({
    topic: utf8(index.map((i) => `app.t${i % 3}`)),
    partition: int32(index.map((i) => (i % 2 === 0 ? -i : i * 1000))),
    offset: int64(index.map((i) => BigInt(i) * 4_000_000_000n - 10_000_000_000n)),
    key: binary(index.map((i) => (i % 2 === 0 ? null : Uint8Array.of(i, 255)))),
    payload: binary(index.map((i) => Uint8Array.of(0, i))),
    reason: utf8(reasons),
    rejected_at: micros(index.map((i) => 1_764_150_000_123_456n + BigInt(i) * 7_777n)),
  });
}

/** One batch per part, labelled with the table's Arrow schema (as the stream stage hands them over). */
function ofSchema(schema: Schema, parts: arrow.Table[]): arrow.Table {
  const target = arrowSchemaOf(schema);
  return new arrow.Table(parts.flatMap((part) => part.batches.map((b) => new arrow.RecordBatch(target, b.data))));
}

/** Decodes a bound back to a value comparable with what DuckDB reports. */
function boundValue(type: string, bytes: Uint8Array | undefined): string | bigint | number | undefined {
  if (bytes === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'int': assert.equal(bytes.length, 4); return view.getInt32(0, true);
    case 'long': case 'timestamptz': assert.equal(bytes.length, 8); return view.getBigInt64(0, true);
    case 'string': return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    default: assert.fail(`no bound expected for ${type}`);
  }
}

/** Checks field ids, physical types and every metric of `written` against DuckDB's reading of the file. */
async function assertMatchesDuckDB(path: string, schema: Schema, written: WrittenDataFile): Promise<void> {
  const parquetSchema = await rows(`SELECT name, field_id, type, repetition_type, logical_type FROM parquet_schema('${path}') WHERE type IS NOT NULL`);
  assert.deepEqual(parquetSchema.map((c) => [c.name, Number(c.field_id), c.repetition_type]),
    schema.fields.map((f) => [f.name, f.id, f.required ? 'REQUIRED' : 'OPTIONAL']));
  const physical: Record<string, [string, RegExp | null]> = {
    string: ['BYTE_ARRAY', /^StringType/],
    binary: ['BYTE_ARRAY', null],
    int: ['INT32', null],
    long: ['INT64', null],
    timestamptz: ['INT64', /^TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\)/],
  };
  schema.fields.forEach((f, i) => {
    const [type, logical] = physical[f.type];
    assert.equal(parquetSchema[i].type, type, f.name);
    if (logical) assert.match(String(parquetSchema[i].logical_type), logical, f.name);
    else assert.equal(parquetSchema[i].logical_type, null, f.name);
  });

  const [{ n }] = await rows(`SELECT count(*) AS n FROM read_parquet('${path}')`);
  assert.equal(written.recordCount, Number(n));
  const { size } = (await rows(`SELECT size FROM read_blob('${path}')`))[0];
  assert.equal(written.fileSizeInBytes, Number(size));

  for (const f of schema.fields) {
    const col = `"${f.name}"`;
    const asComparable = f.type === 'timestamptz' ? `epoch_us(${col})` : col;
    const [stats] = await rows(
      `SELECT count(*) AS total, count(*) - count(${col}) AS nulls, min(${asComparable}) AS lo, max(${asComparable}) AS hi FROM read_parquet('${path}')`);
    assert.equal(written.metrics.valueCounts.get(f.id), BigInt(stats.total as bigint), `${f.name} value count`);
    assert.equal(written.metrics.nullValueCounts.get(f.id), BigInt(stats.nulls as bigint), `${f.name} null count`);
    if (f.type === 'binary' || stats.lo === null) {
      assert.equal(written.metrics.lowerBounds.has(f.id), false, `${f.name} has no lower bound`);
      assert.equal(written.metrics.upperBounds.has(f.id), false, `${f.name} has no upper bound`);
    } else {
      assert.equal(boundValue(f.type, written.metrics.lowerBounds.get(f.id)), stats.lo, `${f.name} lower bound`);
      assert.equal(boundValue(f.type, written.metrics.upperBounds.get(f.id)), stats.hi, `${f.name} upper bound`);
    }
  }

  const chunkSizes = await rows(`SELECT path_in_schema AS name, sum(total_compressed_size) AS size FROM parquet_metadata('${path}') GROUP BY ALL`);
  assert.equal(written.metrics.columnSizes.size, schema.fields.length);
  for (const { name, size } of chunkSizes) {
    const field = schema.fields.find((f) => f.name === name)!;
    assert.equal(written.metrics.columnSizes.get(field.id), BigInt(size as bigint), `${name} column size`);
  }
}

test('rejected_events: values, field ids, types and metrics agree with DuckDB, across batches and a slice', async () => {
  const full = ofSchema(REJECTED_SCHEMA, [rejectedRows(0), rejectedRows(7), rejectedRows(14)]);
  // Slicing leaves a non-zero Arrow offset in the first chunk (validity bits start mid-byte).
  const table = full.slice(3, 19);
  const path = join(dir, 'rejected.parquet');
  const written = await writeParquetFile(io, path, table, REJECTED_SCHEMA);
  await assertMatchesDuckDB(path, REJECTED_SCHEMA, written);

  const back = await rows(`SELECT topic, partition, "offset", hex(key) AS key, hex(payload) AS payload, reason, epoch_us(rejected_at) AS at FROM read_parquet('${path}')`);
  const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex').toUpperCase());
  // Arrow's row view turns timestamps into float milliseconds; take the exact micros from the buffers.
  const rejectedAt = table.getChild('rejected_at')!.data.flatMap((d) => Array.from(d.values as BigInt64Array));
  assert.deepEqual(back, table.toArray().map((r, i) => ({
    topic: r.topic, partition: r.partition, offset: r.offset, key: hex(r.key), payload: hex(r.payload), reason: r.reason, at: rejectedAt[i],
  })));
  assert.equal(new TextDecoder().decode(written.metrics.lowerBounds.get(6)), 'bad json');
  assert.equal(new TextDecoder().decode(written.metrics.upperBounds.get(6)), '😀 é');
});

function nodeRows(props: ReadonlyArray<string | null>): arrow.Table {
  return ofSchema(NODES_SCHEMA, [new arrow.Table({
    node_type: utf8(['profile', 'account', 'title', 'device']),
    // The empty string is the lowest possible bound.
    node_id: utf8(['p-1', '', 't-1', 'd-1']),
    first_seen: micros([5n, 1n, 3n, 2n]),
    last_seen: micros([50n, 10n, 30n, 20n]),
    event_count: int64([1n, 2n, 3n, 4n]),
    props: utf8(props),
    source_topic: utf8(['app.session', 'app.session', 'app.playback', 'app.session']),
    // A nullable timestamptz beside it: the props' event time where there are props.
    props_ts: arrow.makeVector(optionalTimestamptzColumn(props.map((p, i) => (p === null ? -Infinity : 7 + i)), props.length)),
  })]);
}

test('nodes: nullable string and timestamptz columns get bounds from their non-null values, none when all are null', async () => {
  const somePath = join(dir, 'nodes-some-props.parquet');
  const some = await writeParquetFile(io, somePath, nodeRows([null, '{"os":"tvOS"}', null, '{"app_version":"9"}']), NODES_SCHEMA);
  await assertMatchesDuckDB(somePath, NODES_SCHEMA, some);
  assert.equal(some.metrics.nullValueCounts.get(6), 2n);
  assert.equal(some.metrics.nullValueCounts.get(8), 2n);
  assert.equal(new TextDecoder().decode(some.metrics.lowerBounds.get(2)), '');

  const nonePath = join(dir, 'nodes-no-props.parquet');
  const none = await writeParquetFile(io, nonePath, nodeRows([null, null, null, null]), NODES_SCHEMA);
  await assertMatchesDuckDB(nonePath, NODES_SCHEMA, none);
  assert.equal(none.metrics.nullValueCounts.get(6), 4n);
  assert.equal(none.metrics.lowerBounds.has(6), false);
  assert.equal(none.metrics.lowerBounds.has(8), false);
});

test('refuses tables that do not fit the schema, and required nulls', async () => {
  const rejected = ofSchema(REJECTED_SCHEMA, [rejectedRows(0)]);
  await assert.rejects(writeParquetFile(io, join(dir, 'wrong.parquet'), rejected, EDGES_SCHEMA), /columns/);

  const swapped = new arrow.Table({ ...Object.fromEntries(rejected.schema.fields.map((f, i) => [f.name, rejected.getChildAt(i)!])), partition: int64([1n, 2n, 3n, 4n, 5n, 6n, 7n]) });
  await assert.rejects(writeParquetFile(io, join(dir, 'swapped.parquet'), swapped, REJECTED_SCHEMA), /"partition: Int64", expected "partition: Int32"/);

  const nullPayload = new arrow.Table({ ...Object.fromEntries(rejected.schema.fields.map((f, i) => [f.name, rejected.getChildAt(i)!])), payload: binary([null, Uint8Array.of(1), null, null, null, null, null]) });
  await assert.rejects(writeParquetFile(io, join(dir, 'nulls.parquet'), nullPayload, REJECTED_SCHEMA), /required column "payload" has nulls/);
});
