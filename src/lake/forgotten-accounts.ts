/**
 * The tombstone list of `lakegraph forget` (docs/MAINTENANCE.md, "Forgetting a member"):
 * a small Iceberg table, `<namespace>.forgotten_accounts`, one row per forgotten account.
 * A table rather than a table property, because properties are copied into every metadata
 * version (and REST responses) and would grow with every forget; a table rather than a
 * side file, because other engines read it like the graph tables and its snapshots say
 * when each account was forgotten.
 *
 * Each graph table's forget commit records the tombstone table's snapshot id in the summary
 * property FORGOTTEN_VERSION_PROPERTY (carried forward like the Kafka offsets). A writer
 * or reader that loaded the list at one version and meets another in a table knows the
 * list has grown since: ingest re-reads it before committing (topic-job.ts), and `serve`
 * at its next refresh (query-session.ts).
 */
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { NoSuchTableError, type Catalog, type TableIdentifier } from './catalog/catalog.js';
import { planFiles } from './scan/plan-files.js';
import type { CarriedProperties } from './spec/carried-properties.js';
import type { Schema } from './spec/schema.js';
import { currentSnapshot } from './spec/table-metadata.js';
import { UNPARTITIONED } from './spec/partition-spec.js';

export const FORGOTTEN_TABLE_NAME = 'forgotten_accounts';

/** Summary property of every graph table: the tombstone table's snapshot whose accounts the table no longer holds. */
export const FORGOTTEN_VERSION_PROPERTY = 'lakegraph.forgotten-accounts';

export const FORGOTTEN_SCHEMA: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'account_id', type: 'string', required: true },
    { id: 2, name: 'forgotten_at', type: 'timestamptz', required: true },
  ],
};

export const FORGOTTEN_PARTITION_SPEC = UNPARTITIONED;

export function forgottenTableId(namespace: readonly string[]): TableIdentifier {
  return { namespace, name: FORGOTTEN_TABLE_NAME };
}

export interface ForgottenAccounts {
  /** The tombstone table's snapshot id read, as a string; '' while there is none. */
  readonly version: string;
  readonly accounts: ReadonlySet<string>;
}

export const NONE_FORGOTTEN: ForgottenAccounts = { version: '', accounts: new Set() };

/** The version of the list a graph table's snapshot was last purged against ('' when never). */
export function forgottenVersionOf(carried: CarriedProperties): string {
  return carried[FORGOTTEN_VERSION_PROPERTY] ?? '';
}

/** The accounts forgotten so far in `namespace` (none when the tombstone table does not exist yet). */
export async function readForgottenAccounts(catalog: Catalog, namespace: readonly string[]): Promise<ForgottenAccounts> {
  let metadata;
  try {
    metadata = await catalog.loadTable(forgottenTableId(namespace));
  } catch (error) {
    if (error instanceof NoSuchTableError) return NONE_FORGOTTEN;
    throw error;
  }
  const snapshot = currentSnapshot(metadata);
  if (snapshot === undefined) return NONE_FORGOTTEN;
  const { files } = await planFiles(catalog.io, metadata);
  const column = 'account_id';
  const accounts = new Set<string>();
  for (const file of files) {
    const rows = arrow.tableFromIPC(parquet.readParquet(await catalog.io.read(file.filePath), { columns: [column] }).intoIPCStream());
    for (const id of rows.getChild(column)?.toArray() ?? []) accounts.add(String(id));
  }
  return { version: String(snapshot['snapshot-id']), accounts };
}
