/**
 * DuckDB views over a committed snapshot: one `read_parquet` over the live data files
 * that scan planning returned, reading each column by its Iceberg field id. An empty
 * table still gets a typed view, so queries over a fresh warehouse return no rows
 * instead of failing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NestedField, PrimitiveType, Schema } from '../lake/spec/schema.js';

const DUCKDB_TYPES: Record<PrimitiveType, string> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  string: 'VARCHAR',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
};

/** Quotes a value as a SQL string literal; file paths come from our own metadata, never from users. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * `read_parquet` of `files` that finds each of `fields` by its field id, as Iceberg
 * readers do, not by name: a file written before a column was added to the table lacks
 * it and reads NULL there.
 */
export function parquetScan(fields: readonly NestedField[], files: readonly string[]): string {
  const byId = fields.map((f) => `${f.id}: {name: ${sqlString(f.name)}, type: ${sqlString(DUCKDB_TYPES[f.type])}, default_value: NULL}`);
  return `read_parquet([${files.map(sqlString).join(', ')}], schema = MAP {${byId.join(', ')}})`;
}

const typedNull = (f: NestedField) => `CAST(NULL AS ${DUCKDB_TYPES[f.type]}) AS ${sqlIdentifier(f.name)}`;

/**
 * The SELECT that a view over these files runs: the columns of `columns` (the schema
 * lakegraph writes), each read by the field id it has in `table` (the table's current
 * schema), NULL where the table has no such column yet; typed and empty without files.
 */
export function snapshotSelect(columns: Schema, files: readonly string[], table: Schema = columns): string {
  if (files.length === 0) return `SELECT ${columns.fields.map(typedNull).join(', ')} WHERE false`;
  const stored = columns.fields.map((f) => table.fields.find((t) => t.name === f.name));
  const select = columns.fields.map((f, i) => (stored[i] === undefined ? typedNull(f) : sqlIdentifier(f.name)));
  return `SELECT ${select.join(', ')} FROM ${parquetScan(stored.filter((f) => f !== undefined), files)}`;
}

export async function createSnapshotView(connection: DuckDBConnection, view: string, columns: Schema, files: readonly string[], table?: Schema): Promise<void> {
  await connection.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(view)} AS ${snapshotSelect(columns, files, table)}`);
}
