/**
 * Turns an Arrow table into the table's data files: rows are split by partition, ordered
 * by the table's default sort order (unless the caller opts out), and each partition
 * becomes one Parquet file under `<table>/data/<partition path>/`.
 * The files are not yet part of the table; commit them with `table.newAppend()`.
 */
import { randomUUID } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import { writeParquetFile } from '../parquet/write-parquet.js';
import type { DataFile } from '../spec/data-file.js';
import type { PartitionSpec } from '../spec/partition-spec.js';
import { fieldByName, type Schema } from '../spec/schema.js';
import { currentSchema, defaultPartitionSpec, defaultSortOrder } from '../spec/table-metadata.js';
import type { Table } from './table.js';
import { gatherRows } from '../write/gather-rows.js';
import { partitionRows } from '../write/partition-rows.js';
import { sortPartitionGroups } from '../write/sort-rows.js';

const DAY_MS = 86_400_000;

/** Hive-style path segment, dates readable the way Java/PyIceberg print them. */
function partitionPath(spec: PartitionSpec, values: readonly number[]): string {
  return spec.fields
    .map((field, i) => {
      const value = values[i];
      if (field.transform === 'day') return `${field.name}=${new Date(value * DAY_MS).toISOString().slice(0, 10)}`;
      if (field.transform === 'hour') return `${field.name}=${new Date(value * 3_600_000).toISOString().slice(0, 13).replace('T', '-')}`;
      return `${field.name}=${value}`;
    })
    .join('/');
}

export interface WriteOptions {
  /**
   * Order rows by the table's sort order (default true). Streaming appends pass false:
   * their small files live only until compaction rewrites them sorted, and sorting would
   * cost about a fifth of a flush on the stream's thread (docs/BENCHMARKS.md, lake-write).
   */
  readonly sort?: boolean;
}

/**
 * The table's columns that `rows` holds, in the rows' order: what labels the Parquet
 * columns with the table's field ids. A file may leave out optional columns (readers
 * read them as null), never required ones, and holds no column the table lacks.
 */
function schemaOfRows(table: Schema, rows: arrow.Table): Schema {
  const names = new Set(rows.schema.fields.map((f) => f.name));
  const absent = table.fields.find((f) => f.required && !names.has(f.name));
  if (absent !== undefined) throw new Error(`rows lack the table's required column ${absent.name}`);
  return { ...table, fields: rows.schema.fields.map((f) => fieldByName(table, f.name)) };
}

export async function writeDataFiles(table: Table, rows: arrow.Table, options: WriteOptions = {}): Promise<DataFile[]> {
  if (rows.numRows === 0) return [];
  const schema = schemaOfRows(currentSchema(table.metadata), rows);
  const spec = defaultPartitionSpec(table.metadata);
  const order = defaultSortOrder(table.metadata);
  const sorted = (options.sort ?? true) && order.fields.length > 0;
  const groups = partitionRows(rows, schema, spec);
  if (sorted) sortPartitionGroups(rows, schema, order, groups);
  // Partition files encode concurrently on the worker pool.
  const writes: Promise<DataFile>[] = [];
  for (let g = 0; g < groups.partitions.length; g++) {
    const partition = groups.partitions[g];
    const single = !sorted && groups.partitions.length === 1 && rows.batches.length === 1;
    const slice = single ? rows : gatherRows(rows, { ...groups, start: groups.starts[g], end: groups.starts[g + 1] });
    const segment = partitionPath(spec, partition);
    const location = `${table.metadata.location}/data/${segment ? `${segment}/` : ''}${randomUUID()}.parquet`;
    writes.push(writeParquetFile(table.io, location, slice, schema).then((written) => ({
      content: 0,
      filePath: location,
      fileFormat: 'PARQUET',
      specId: spec['spec-id'],
      partition,
      recordCount: BigInt(written.recordCount),
      fileSizeInBytes: BigInt(written.fileSizeInBytes),
      metrics: written.metrics,
      ...(sorted && { sortOrderId: order['order-id'] }),
    })));
  }
  return Promise.all(writes);
}
