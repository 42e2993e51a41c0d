/**
 * The three graph tables a topic job writes, opened in one catalog: created if missing,
 * and given the columns this lakegraph writes if an older one made them.
 */
import type { Catalog } from '../../lake/catalog/catalog.js';
import { evolveSchema } from '../../lake/table/evolve-schema.js';
import { Table } from '../../lake/table/table.js';
import { NAMESPACE, TABLE_NAMES, TABLE_PARTITION_SPECS, TABLE_SCHEMAS, TABLE_SORT_ORDERS, type TableName } from '../../lake/tables.js';

export type GraphTables = Record<TableName, Table>;

/** `namespace`: `graph` (docs/CONTRACTS.md §3); tests use their own to share a catalog server. */
export async function openGraphTables(catalog: Catalog, namespace: string = NAMESPACE): Promise<GraphTables> {
  const tables = {} as GraphTables;
  // Sequential: the first create also creates the namespace.
  for (const name of TABLE_NAMES) {
    tables[name] = await Table.ensure(catalog, { namespace: [namespace], name }, {
      schema: TABLE_SCHEMAS[name],
      partitionSpec: TABLE_PARTITION_SPECS[name],
      sortOrder: TABLE_SORT_ORDERS[name],
    });
    await evolveSchema(tables[name], TABLE_SCHEMAS[name]);
  }
  return tables;
}
