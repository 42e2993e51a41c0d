/**
 * DuckDB views over a committed snapshot: one `read_parquet` over the live data files
 * that scan planning returned. An empty table still gets a typed view, so queries over a
 * fresh warehouse return no rows instead of failing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { PrimitiveType, Schema } from '../lake/spec/schema.js';

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

/** The SELECT that a view over these files runs (typed and empty when there are none). */
export function snapshotSelect(schema: Schema, files: readonly string[]): string {
  const columns = schema.fields.map((f) => sqlIdentifier(f.name)).join(', ');
  if (files.length === 0) {
    const typedNulls = schema.fields.map((f) => `CAST(NULL AS ${DUCKDB_TYPES[f.type]}) AS ${sqlIdentifier(f.name)}`).join(', ');
    return `SELECT ${typedNulls} WHERE false`;
  }
  return `SELECT ${columns} FROM read_parquet([${files.map(sqlString).join(', ')}])`;
}

export async function createSnapshotView(connection: DuckDBConnection, view: string, schema: Schema, files: readonly string[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(view)} AS ${snapshotSelect(schema, files)}`);
}
