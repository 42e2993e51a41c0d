/**
 * The DuckDB route to a Parquet file with Iceberg field ids: append the Arrow rows into
 * an in-memory table through the appender, then `COPY … (FORMAT parquet, FIELD_IDS …)`.
 * @duckdb/node-api has no Arrow scan, so every string is decoded to a JS string and
 * every timestamp wrapped in a value object on the way in.
 */
import type * as arrow from 'apache-arrow';
import {
  BIGINT, BLOB, INTEGER, TIMESTAMP, TIMESTAMPTZ, VARCHAR,
  DuckDBDataChunk, DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue,
  type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import type { PrimitiveType, Schema } from '../src/lake/spec/schema.js';

const CHUNK_ROWS = 2048;

function duckType(type: PrimitiveType): DuckDBType {
  switch (type) {
    case 'string': return VARCHAR;
    case 'binary': return BLOB;
    case 'int': return INTEGER;
    case 'long': return BIGINT;
    case 'timestamptz': return TIMESTAMPTZ;
    case 'timestamp': return TIMESTAMP;
    default: throw new Error(`DuckDB bench writer does not map ${type}`);
  }
}

function columnValues(type: PrimitiveType, vector: arrow.Vector, from: number, to: number): DuckDBValue[] {
  const values: DuckDBValue[] = new Array(to - from);
  if (type === 'timestamptz' || type === 'timestamp') {
    const micros = vector.data[0].values as BigInt64Array;
    const wrap = type === 'timestamptz' ? (m: bigint) => new DuckDBTimestampTZValue(m) : (m: bigint) => new DuckDBTimestampValue(m);
    for (let row = from; row < to; row++) values[row - from] = vector.isValid(row) ? wrap(micros[row]) : null;
  } else {
    for (let row = from; row < to; row++) values[row - from] = vector.get(row) as DuckDBValue;
  }
  return values;
}

export async function writeWithDuckDB(path: string, table: arrow.Table, schema: Schema): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const columns = schema.fields.map((f) => `${quoted(f.name)} ${duckType(f.type)}${f.required ? ' NOT NULL' : ''}`);
    await connection.run(`CREATE TABLE rows (${columns.join(', ')})`);
    const appender = await connection.createAppender('rows');
    const types = schema.fields.map((f) => duckType(f.type));
    for (const batch of table.batches) {
      const vectors = schema.fields.map((f) => batch.getChild(f.name)!);
      for (let from = 0; from < batch.numRows; from += CHUNK_ROWS) {
        const to = Math.min(from + CHUNK_ROWS, batch.numRows);
        const chunk = DuckDBDataChunk.create(types, to - from);
        chunk.setColumns(schema.fields.map((f, i) => columnValues(f.type, vectors[i], from, to)));
        appender.appendDataChunk(chunk);
      }
    }
    appender.closeSync();
    const fieldIds = schema.fields.map((f) => `${quoted(f.name)}: ${f.id}`).join(', ');
    await connection.run(`COPY rows TO '${path.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {${fieldIds}})`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
