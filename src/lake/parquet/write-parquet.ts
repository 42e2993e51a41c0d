/**
 * Writes one Iceberg data file: an Arrow table shaped by `arrowSchemaOf(schema)` becomes a
 * Parquet file whose columns carry the Iceberg field ids, plus the metrics its manifest
 * entry needs. parquet-wasm (arrow-rs) does the encoding; it turns each Arrow field's
 * `PARQUET:field_id` metadata into the Parquet field id, on a worker thread (encode-pool.ts).
 */
import * as arrow from 'apache-arrow';
import type { FileIO } from '../io/file-io.js';
import type { Schema } from '../spec/schema.js';
import type { ColumnMetrics } from '../spec/metrics.js';
import { arrowSchemaOf } from '../tables.js';
import { columnMetricsOf } from './column-metrics.js';
import { columnSizesOf } from './column-sizes.js';
import { encodeParquetInWorker } from './encode-pool.js';

export interface WrittenDataFile {
  readonly fileSizeInBytes: number;
  readonly recordCount: number;
  readonly metrics: ColumnMetrics;
}

/** Writes the file at `location` (a new, unique name: data files are never overwritten). */
export async function writeParquetFile(io: FileIO, location: string, table: arrow.Table, schema: Schema): Promise<WrittenDataFile> {
  const canonical = withIcebergSchema(table, schema);
  const file = await encodeParquetInWorker(arrow.tableToIPC(canonical, 'stream'));
  await io.write(location, file);
  const metrics = { ...columnMetricsOf(canonical, schema), columnSizes: await columnSizesOf(file, schema) };
  return { fileSizeInBytes: file.byteLength, recordCount: canonical.numRows, metrics };
}

/**
 * Re-labels the batches with the schema derived from the Iceberg schema, so field ids
 * come from the one source of truth even if the caller's Arrow fields lost their
 * metadata. Names and types must already agree; Arrow nullability may differ as long as
 * required columns hold no nulls (tables built without an explicit schema are all-nullable).
 */
function withIcebergSchema(table: arrow.Table, schema: Schema): arrow.Table {
  const expected = arrowSchemaOf(schema);
  const actual = table.schema;
  if (actual.fields.length !== expected.fields.length) {
    throw new Error(`table has ${actual.fields.length} columns, schema ${schema['schema-id']} has ${expected.fields.length}`);
  }
  expected.fields.forEach((field, i) => {
    const given = actual.fields[i];
    if (given.name !== field.name || !arrow.util.compareTypes(field.type, given.type)) {
      throw new Error(`column ${i} is "${given.name}: ${given.type}", expected "${field.name}: ${field.type}"`);
    }
    if (!field.nullable && table.getChildAt(i)!.nullCount > 0) {
      throw new Error(`required column "${field.name}" has nulls`);
    }
  });
  return new arrow.Table(table.batches.map((batch) => new arrow.RecordBatch(expected, batch.data)));
}
