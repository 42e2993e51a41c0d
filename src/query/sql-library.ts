/**
 * The `sql/` folder is the graph query library users run in the DuckDB CLI; lakegraph
 * runs the same files, binding parameters as DuckDB variables (`SET VARIABLE`), so user
 * input never becomes SQL text.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

const SQL_DIR = new URL('../../../sql/', import.meta.url);

/** Read once per process: a service runs the same few files for every request. */
const loaded = new Map<string, Promise<string>>();

export function loadLibrarySql(name: string): Promise<string> {
  let sql = loaded.get(name);
  if (sql === undefined) {
    sql = readFile(new URL(`${name}.sql`, SQL_DIR), 'utf8');
    sql.catch(() => loaded.delete(name));
    loaded.set(name, sql);
  }
  return sql;
}

export type QueryVariables = Readonly<Record<string, DuckDBValue>>;

export async function setVariables(connection: DuckDBConnection, variables: QueryVariables): Promise<void> {
  for (const [name, value] of Object.entries(variables)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad variable name ${name}`);
    await connection.run(`SET VARIABLE ${name} = $1`, [value]);
  }
}

/** Runs a library query and returns its rows as JSON-friendly objects. */
export async function runLibraryQuery(connection: DuckDBConnection, name: string, variables: QueryVariables): Promise<Record<string, unknown>[]> {
  await setVariables(connection, variables);
  const reader = await connection.runAndReadAll(await loadLibrarySql(name));
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}
