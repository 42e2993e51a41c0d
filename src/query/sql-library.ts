/**
 * The `sql/` folder is the graph query library users run in the DuckDB CLI, after
 * `SET VARIABLE`s. lakegraph runs the same files as prepared statements: each file's
 * `getvariable('x')` reads become the named parameter `$x`, so user input is only ever a
 * bound value, and a service skips the per-request `SET VARIABLE` statements and parsing.
 * A `SET VARIABLE` on the connection therefore never reaches a library query: every call
 * names each variable its file reads (null for the file's default).
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';

const SQL_DIR = new URL('../../../sql/', import.meta.url);

/** Read once per process: a service runs the same few files for every request. */
const loaded = new Map<string, Promise<string>>();

export function loadLibrarySql(name: string): Promise<string> {
  return cachedPromise(loaded, name, () => readFile(new URL(`${name}.sql`, SQL_DIR), 'utf8'));
}

interface LibraryStatement {
  readonly statement: DuckDBPreparedStatement;
  /** Its named parameters, in order. */
  readonly parameters: readonly string[];
}

/**
 * Prepared once per connection and file. DuckDB re-binds a statement itself when a view it
 * reads is replaced. Bound values stay on the statement until its run, so callers run one
 * library query at a time per connection (the query session's Serial does).
 */
const prepared = new WeakMap<DuckDBConnection, Map<string, Promise<LibraryStatement>>>();

function libraryStatement(connection: DuckDBConnection, name: string): Promise<LibraryStatement> {
  let statements = prepared.get(connection);
  if (statements === undefined) prepared.set(connection, (statements = new Map()));
  return cachedPromise(statements, name, async () => {
    const statement = await connection.prepare((await loadLibrarySql(name)).replace(/getvariable\('([a-z_][a-z0-9_]*)'\)/g, '$$$1'));
    return { statement, parameters: Array.from({ length: statement.parameterCount }, (_, i) => statement.parameterName(i + 1)) };
  });
}

/** `make()`'s promise under `key`; a failure is not kept, so the next call tries again. */
function cachedPromise<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

export type QueryVariables = Readonly<Record<string, DuckDBValue>>;

/**
 * Runs a library file. Every variable the file reads must be named, null (or undefined)
 * meaning unset, as an unset `getvariable` is in the CLI; a variable left out or one the
 * file does not read is the caller's bug, reported instead of silently reading NULL.
 */
export async function runLibrary(connection: DuckDBConnection, name: string, variables: QueryVariables): Promise<DuckDBResultReader> {
  const { statement, parameters } = await libraryStatement(connection, name);
  const missing = parameters.filter((parameter) => !(parameter in variables));
  const unknown = Object.keys(variables).filter((variable) => !parameters.includes(variable));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [missing.length > 0 ? `not given: ${missing.join(', ')}` : '', unknown.length > 0 ? `not read by the file: ${unknown.join(', ')}` : ''];
    throw new Error(`sql/${name}.sql takes ${parameters.join(', ') || 'no variables'} (${problems.filter(Boolean).join('; ')})`);
  }
  statement.bind(Object.fromEntries(parameters.map((parameter) => [parameter, variables[parameter] ?? null])));
  return statement.runAndReadAll();
}

/** Runs a library query and returns its rows as JSON-friendly objects. */
export async function runLibraryQuery(connection: DuckDBConnection, name: string, variables: QueryVariables): Promise<Record<string, unknown>[]> {
  return (await runLibrary(connection, name, variables)).getRowObjectsJson() as Record<string, unknown>[];
}
