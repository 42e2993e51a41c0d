/**
 * Writer-only comparison on synthetic edges (see docs/BENCHMARKS.md): Arrow table in,
 * Parquet file with Iceberg field ids out. `node dist/bench/parquet-writers.js [--rows N]`
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as arrow from 'apache-arrow';
import { LocalFileIO } from '../src/lake/io/local-file-io.js';
import { writeParquetFile } from '../src/lake/parquet/write-parquet.js';
import { EDGES_SCHEMA } from '../src/lake/tables.js';
import type { Schema } from '../src/lake/spec/schema.js';
import { syntheticEdges } from './edge-table.js';
import { writeWithDuckDB } from './duckdb-writer.js';
import { writeWithParquetjs } from './parquetjs-baseline.js';

type Writer = (path: string, table: arrow.Table, schema: Schema) => Promise<unknown>;

const WRITERS: Array<[name: string, write: Writer]> = [
  ['parquet-wasm (IPC, zstd) + metrics', (path, table, schema) => writeParquetFile(new LocalFileIO(), path, table, schema)],
  ['DuckDB appender + COPY (zstd)', writeWithDuckDB],
  ['parquetjs-lite (snappy, baseline)', writeWithParquetjs],
];

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rows = Number(values.rows);
const dir = await mkdtemp(join(tmpdir(), 'lakegraph-writers-'));
try {
  let started = performance.now();
  const table = syntheticEdges(rows);
  const buildMs = performance.now() - started;
  console.log(`${rows} edge rows, ${table.numCols} columns; Arrow build ${buildMs.toFixed(0)} ms (${Math.round(rows / buildMs * 1000)} rows/s)`);
  for (const [name, write] of WRITERS) {
    const path = join(dir, `${name.split(' ')[0]}.parquet`);
    started = performance.now();
    await write(path, table, EDGES_SCHEMA);
    const ms = performance.now() - started;
    const { size } = await stat(path);
    console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(7)} ms ${Math.round(rows / ms * 1000).toString().padStart(9)} rows/s ${(size / 2 ** 20).toFixed(1).padStart(6)} MiB`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
