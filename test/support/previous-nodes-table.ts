/**
 * graph.nodes as lakegraph made it before `props_ts` existed (docs/CONTRACTS.md §3): the
 * schema of that release, and a table of it with data files written in it, for the tests
 * of schema evolution. The rows are plain objects, times in epoch ms.
 */
import * as arrow from 'apache-arrow';
import type { Catalog, TableIdentifier } from '../../src/lake/catalog/catalog.js';
import type { Schema } from '../../src/lake/spec/schema.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { arrowSchemaOf, NODES_PARTITION_SPEC, NODES_SCHEMA, NODES_SORT_ORDER } from '../../src/lake/tables.js';

export const PREVIOUS_NODES_SCHEMA: Schema = { ...NODES_SCHEMA, fields: NODES_SCHEMA.fields.filter((f) => f.name !== 'props_ts') };

export interface PreviousNodeRow {
  readonly node_type: string;
  readonly node_id: string;
  readonly first_seen: number;
  readonly last_seen: number;
  readonly event_count: number;
  readonly props: string | null;
  readonly source_topic: string;
}

const micros = (ms: readonly number[]) =>
  arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: ms.length, data: BigInt64Array.from(ms, (v) => BigInt(v) * 1000n) }));

/** Rows in the previous schema's columns, as its Arrow batches were. */
export function previousNodeRows(rows: readonly PreviousNodeRow[]): arrow.Table {
  const strings = (pick: (row: PreviousNodeRow) => string | null) => arrow.vectorFromArray(rows.map(pick), new arrow.Utf8());
  const columns = new arrow.Table({
    node_type: strings((r) => r.node_type),
    node_id: strings((r) => r.node_id),
    first_seen: micros(rows.map((r) => r.first_seen)),
    last_seen: micros(rows.map((r) => r.last_seen)),
    event_count: arrow.makeVector(BigInt64Array.from(rows, (r) => BigInt(r.event_count))),
    props: strings((r) => r.props),
    source_topic: strings((r) => r.source_topic),
  });
  const schema = arrowSchemaOf(PREVIOUS_NODES_SCHEMA);
  return new arrow.Table(columns.batches.map((batch) => new arrow.RecordBatch(schema, batch.data)));
}

/** Creates the table with the previous schema and appends one commit of `rows`. */
export async function createPreviousNodesTable(catalog: Catalog, id: TableIdentifier, rows: readonly PreviousNodeRow[]): Promise<Table> {
  const table = await Table.ensure(catalog, id, { schema: PREVIOUS_NODES_SCHEMA, partitionSpec: NODES_PARTITION_SPEC, sortOrder: NODES_SORT_ORDER });
  await table.newAppend().addFiles(await writeDataFiles(table, previousNodeRows(rows))).commit();
  return table;
}
