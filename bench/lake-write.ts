/**
 * Rows/s from Arrow batches to a committed Iceberg snapshot (filesystem catalog, edges
 * table), parquet-wasm against a parquetjs-lite baseline committed the same way.
 * `node dist/bench/lake-write.js [--rows N]`; results belong in docs/BENCHMARKS.md.
 *
 * The rows arrive already split by partition (one Arrow table per `src_id` bucket), so
 * the time covers Parquet encoding, column metrics, file writes, manifests and the
 * commit, not the partition split.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { writeParquetFile } from '../src/lake/parquet/write-parquet.js';
import { columnMetricsOf } from '../src/lake/parquet/column-metrics.js';
import type { DataFile } from '../src/lake/spec/data-file.js';
import type { Snapshot } from '../src/lake/spec/snapshot.js';
import { Table } from '../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA, NAMESPACE } from '../src/lake/tables.js';
import { syntheticEdgePartitions, type EdgePartition } from './edge-table.js';
import { writeWithParquetjs } from './parquetjs-baseline.js';

/** Writes one partition's rows to `path` and describes the file for its manifest entry. */
type DataFileWriter = (path: string, part: EdgePartition) => Promise<Omit<DataFile, 'filePath'>>;

const withParquetWasm: DataFileWriter = async (path, { partition, table }) => {
  const written = await writeParquetFile(path, table, EDGES_SCHEMA);
  return dataFile(partition, written.recordCount, written.fileSizeInBytes, written.metrics);
};

/** parquetjs-lite reports nothing back, so metrics come from the Arrow columns (no column sizes). */
const withParquetjs: DataFileWriter = async (path, { partition, table }) => {
  await mkdir(dirname(path), { recursive: true });
  await writeWithParquetjs(path, table, EDGES_SCHEMA);
  const { size } = await stat(path);
  return dataFile(partition, table.numRows, size, { ...columnMetricsOf(table, EDGES_SCHEMA), columnSizes: new Map() });
};

function dataFile(partition: DataFile['partition'], records: number, bytes: number, metrics: DataFile['metrics']): Omit<DataFile, 'filePath'> {
  return {
    content: 0,
    fileFormat: 'PARQUET',
    specId: EDGES_PARTITION_SPEC['spec-id'],
    partition,
    recordCount: BigInt(records),
    fileSizeInBytes: BigInt(bytes),
    metrics,
  };
}

async function writeAndCommit(catalog: FilesystemCatalog, tableName: string, parts: readonly EdgePartition[], write: DataFileWriter): Promise<Snapshot> {
  const table = await Table.ensure(catalog, { namespace: [NAMESPACE], name: tableName }, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
  const files: DataFile[] = [];
  for (const part of parts) {
    const filePath = `${table.metadata.location}/data/${randomUUID()}.parquet`;
    files.push({ ...(await write(catalog.io.localPath(filePath), part)), filePath });
  }
  return table.newAppend().addFiles(files).commit();
}

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows must be a positive integer, not ${values.rows}`);

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-lake-write-'));
try {
  const catalog = new FilesystemCatalog(warehouse);
  const parts = syntheticEdgePartitions(rows);
  console.log(`lake-write: ${rows} edge rows (9 columns) in ${parts.length} partitions → one append snapshot, filesystem catalog`);
  const rates: number[] = [];
  for (const [name, tableName, write] of [
    ['parquet-wasm', 'edges', withParquetWasm],
    ['parquetjs-lite (baseline)', 'edges_parquetjs', withParquetjs],
  ] as const) {
    const started = performance.now();
    const snapshot = await writeAndCommit(catalog, tableName, parts, write);
    const ms = performance.now() - started;
    const committed = Number(snapshot.summary['total-records']);
    if (committed !== rows) throw new Error(`${name}: snapshot holds ${committed} records, expected ${rows}`);
    const rate = rows / ms * 1000;
    rates.push(rate);
    console.log(`${name.padEnd(26)} ${ms.toFixed(0).padStart(7)} ms ${Math.round(rate).toString().padStart(9)} rows/s  snapshot ${snapshot['snapshot-id']}, ${snapshot.summary['added-data-files']} files, ${(Number(snapshot.summary['added-files-size']) / 2 ** 20).toFixed(1)} MiB`);
  }
  console.log(`speed-up over baseline: ${(rates[0] / rates[1]).toFixed(1)}×`);
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
