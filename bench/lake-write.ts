/**
 * Rows/s from Arrow batches to a committed Iceberg snapshot of `graph.edges` (filesystem
 * catalog): partition split, Parquet encoding, column metrics, file writes, manifests and
 * the commit. parquet-wasm (the lake's writer) runs against a parquetjs-lite baseline
 * that writes the same rows, split the same way, and commits them the same way; once as
 * the stream appends (unsorted) and once sorted by the table's sort order, as compaction writes.
 * `node dist/bench/lake-write.js [--rows N]`; results belong in docs/BENCHMARKS.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as arrow from 'apache-arrow';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { columnMetricsOf } from '../src/lake/parquet/column-metrics.js';
import type { DataFile } from '../src/lake/spec/data-file.js';
import type { Snapshot } from '../src/lake/spec/snapshot.js';
import { Table } from '../src/lake/table/table.js';
import { writeDataFiles } from '../src/lake/table/write-data-files.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA, EDGES_SORT_ORDER, NAMESPACE } from '../src/lake/tables.js';
import { gatherRows } from '../src/lake/write/gather-rows.js';
import { partitionRows } from '../src/lake/write/partition-rows.js';
import { syntheticEdges } from './edge-table.js';
import { writeWithParquetjs } from './parquetjs-baseline.js';
import { localPath } from '../src/lake/io/local-file-io.js';

type DataFilesWriter = (table: Table, rows: arrow.Table) => Promise<DataFile[]>;

/**
 * writeDataFiles with parquetjs-lite in place of parquet-wasm. parquetjs-lite reports
 * nothing back, so metrics come from the Arrow columns, without column sizes.
 */
const parquetjsDataFiles: DataFilesWriter = async (table, rows) => {
  const groups = partitionRows(rows, EDGES_SCHEMA, EDGES_PARTITION_SPEC);
  const files: DataFile[] = [];
  for (let g = 0; g < groups.partitions.length; g++) {
    const slice = gatherRows(rows, { ...groups, start: groups.starts[g], end: groups.starts[g + 1] });
    const filePath = `${table.metadata.location}/data/${randomUUID()}.parquet`;
    const path = localPath(filePath);
    await mkdir(dirname(path), { recursive: true });
    await writeWithParquetjs(path, slice, EDGES_SCHEMA);
    files.push({
      content: 0,
      filePath,
      fileFormat: 'PARQUET',
      specId: EDGES_PARTITION_SPEC['spec-id'],
      partition: groups.partitions[g],
      recordCount: BigInt(slice.numRows),
      fileSizeInBytes: BigInt((await stat(path)).size),
      metrics: { ...columnMetricsOf(slice, EDGES_SCHEMA), columnSizes: new Map() },
    });
  }
  return files;
};

async function writeAndCommit(catalog: FilesystemCatalog, tableName: string, rows: arrow.Table, write: DataFilesWriter): Promise<Snapshot> {
  const table = await Table.ensure(catalog, { namespace: [NAMESPACE], name: tableName }, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC, sortOrder: EDGES_SORT_ORDER });
  return table.newAppend().addFiles(await write(table, rows)).commit();
}

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rowCount = Number(values.rows);
if (!Number.isInteger(rowCount) || rowCount <= 0) throw new Error(`--rows must be a positive integer, not ${values.rows}`);

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-lake-write-'));
try {
  const catalog = new FilesystemCatalog(warehouse);
  const rows = syntheticEdges(rowCount);
  console.log(`lake-write: ${rowCount} edge rows (9 columns, ${rows.batches.length} Arrow batches) → one append snapshot, filesystem catalog`);
  const rates: number[] = [];
  for (const [name, tableName, write] of [
    ['parquet-wasm, streaming append', 'edges', (table: Table, batch: arrow.Table) => writeDataFiles(table, batch, { sort: false })],
    ['parquetjs-lite (baseline)', 'edges_parquetjs', parquetjsDataFiles],
    ['parquet-wasm, sorted (compaction)', 'edges_sorted', writeDataFiles],
  ] as const) {
    const started = performance.now();
    const snapshot = await writeAndCommit(catalog, tableName, rows, write);
    const ms = performance.now() - started;
    const committed = Number(snapshot.summary['total-records']);
    if (committed !== rowCount) throw new Error(`${name}: snapshot holds ${committed} records, expected ${rowCount}`);
    const rate = (rowCount / ms) * 1000;
    rates.push(rate);
    const mib = Number(snapshot.summary['added-files-size']) / 2 ** 20;
    console.log(`${name.padEnd(30)} ${ms.toFixed(0).padStart(7)} ms ${Math.round(rate).toString().padStart(9)} rows/s  ${snapshot.summary['added-data-files']} files, ${mib.toFixed(1)} MiB`);
  }
  console.log(`speed-up over baseline: streaming ${(rates[0] / rates[1]).toFixed(1)}×, sorted ${(rates[2] / rates[1]).toFixed(1)}×`);
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
