/**
 * The baseline writer: parquetjs-lite, fed row objects as a JS-only writer must be. It
 * cannot write Parquet field ids, so its files are for timing only.
 */
import type * as arrow from 'apache-arrow';
import parquetjs from 'parquetjs-lite';
import type { ParquetFieldType } from 'parquetjs-lite';
import type { PrimitiveType, Schema } from '../src/lake/spec/schema.js';

const PARQUETJS_TYPE: Record<PrimitiveType, ParquetFieldType | undefined> = {
  string: 'UTF8',
  binary: 'BYTE_ARRAY',
  int: 'INT32',
  long: 'INT64',
  timestamptz: 'TIMESTAMP_MICROS',
  timestamp: 'TIMESTAMP_MICROS',
  boolean: undefined,
  float: undefined,
  double: undefined,
  date: undefined,
};

export async function writeWithParquetjs(path: string, table: arrow.Table, schema: Schema): Promise<void> {
  const fields = Object.fromEntries(schema.fields.map((f) => {
    const type = PARQUETJS_TYPE[f.type];
    if (!type) throw new Error(`baseline does not write ${f.type}`);
    return [f.name, { type, optional: !f.required, compression: 'SNAPPY' as const }];
  }));
  const writer = await parquetjs.ParquetWriter.openFile(new parquetjs.ParquetSchema(fields), path);
  // Timestamps as exact micros: Arrow's row view would give float milliseconds.
  const micros = schema.fields.filter((f) => f.type === 'timestamptz' || f.type === 'timestamp').map((f) => f.name);
  for (const batch of table.batches) {
    const timeColumns = micros.map((name) => batch.getChild(name)!.data[0].values as BigInt64Array);
    for (let row = 0; row < batch.numRows; row++) {
      const record: Record<string, unknown> = batch.get(row)!.toJSON();
      micros.forEach((name, i) => (record[name] = timeColumns[i][row]));
      await writer.appendRow(record);
    }
  }
  await writer.close();
}
