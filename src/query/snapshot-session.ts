/**
 * A DuckDB connection whose views `edges`, `nodes` and `rejected_events` read the
 * current snapshot of each graph table (files planned by the lake, not by DuckDB).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from '../lake/catalog/catalog.js';
import { planFiles } from '../lake/scan/plan-files.js';
import { NAMESPACE, TABLE_SCHEMAS, type TableName } from '../lake/tables.js';
import { createSnapshotView } from './snapshot-views.js';

const VIEWS: readonly TableName[] = ['edges', 'nodes', 'rejected_events'];

export interface SnapshotSession {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openSnapshotSession(catalog: Catalog): Promise<SnapshotSession> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  for (const name of VIEWS) {
    const metadata = await catalog.loadTable({ namespace: [NAMESPACE], name });
    const plan = await planFiles(catalog.io, metadata);
    await createSnapshotView(connection, name, TABLE_SCHEMAS[name], plan.files.map((f) => f.filePath));
  }
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
