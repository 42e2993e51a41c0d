/** The three graph tables a topic job writes, opened (and created if missing) in one catalog. */
import type { Catalog } from '../../lake/catalog/catalog.js';
import { Table } from '../../lake/table/table.js';
import { NAMESPACE, TABLE_PARTITION_SPECS, TABLE_SCHEMAS, TABLE_SORT_ORDERS, type TableName } from '../../lake/tables.js';

export type GraphTableName = TableName;
export const GRAPH_TABLE_NAMES: readonly GraphTableName[] = ['edges', 'nodes', 'rejected_events'];

export type GraphTables = Record<GraphTableName, Table>;

/** `namespace`: `graph` (docs/CONTRACTS.md §3); tests use their own to share a catalog server. */
export async function openGraphTables(catalog: Catalog, namespace: string = NAMESPACE): Promise<GraphTables> {
  const open = (name: GraphTableName) =>
    Table.ensure(catalog, { namespace: [namespace], name }, {
      schema: TABLE_SCHEMAS[name],
      partitionSpec: TABLE_PARTITION_SPECS[name],
      sortOrder: TABLE_SORT_ORDERS[name],
    });
  // Sequential: the first create also creates the namespace.
  const edges = await open('edges');
  const nodes = await open('nodes');
  const rejected_events = await open('rejected_events');
  return { edges, nodes, rejected_events };
}
