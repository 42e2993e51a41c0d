/**
 * The hot tier in DuckDB: tables `hot_edges` / `hot_nodes` with one row per observation of
 * a tailed record, tagged with its topic, partition and offset. Views present them in
 * the graph tables' shape (event_count 1 per row; aggregation by key happens in queries,
 * exactly as for several snapshot rows of one key).
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { EDGE_ENDPOINTS, EDGE_TYPES, NODE_TYPES } from '../../graph/model.js';
import type { PartitionOffsets } from '../../stream/job/source-positions.js';
import type { HotEdgeRows, HotNodeRows } from './hot-rows.js';

const POSITION_COLUMNS = 'source_topic VARCHAR NOT NULL, kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL, seen_ms DOUBLE NOT NULL';

export const HOT_TABLES_DDL = [
  `CREATE TABLE hot_edges (edge_type VARCHAR NOT NULL, src_type VARCHAR NOT NULL, src_id VARCHAR NOT NULL, dst_type VARCHAR NOT NULL, dst_id VARCHAR NOT NULL, ${POSITION_COLUMNS})`,
  `CREATE TABLE hot_nodes (node_type VARCHAR NOT NULL, node_id VARCHAR NOT NULL, props VARCHAR, ${POSITION_COLUMNS})`,
];

const SEEN = 'make_timestamptz(CAST(seen_ms AS BIGINT) * 1000)';

/** SELECTs with exactly the columns of graph.edges / graph.nodes (docs/CONTRACTS.md §3). */
export const HOT_EDGES_SELECT = `SELECT edge_type, src_type, src_id, dst_type, dst_id, ${SEEN} AS first_seen, ${SEEN} AS last_seen, CAST(1 AS BIGINT) AS event_count, source_topic FROM hot_edges`;
/** A hot row is one event: its props, when it carried some, are from its own ts. */
export const HOT_NODES_SELECT = `SELECT node_type, node_id, ${SEEN} AS first_seen, ${SEEN} AS last_seen, CAST(1 AS BIGINT) AS event_count, props, source_topic, CASE WHEN props IS NOT NULL THEN ${SEEN} END AS props_ts FROM hot_nodes`;

export async function appendHotEdges(connection: DuckDBConnection, rows: HotEdgeRows, topics: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  const appender = await connection.createAppender('hot_edges');
  try {
    for (let i = 0; i < rows.length; i++) {
      const edgeType = EDGE_TYPES[rows.type[i]!]!;
      const { src, dst } = EDGE_ENDPOINTS[edgeType];
      appender.appendVarchar(edgeType);
      appender.appendVarchar(src);
      appender.appendVarchar(rows.srcId[i]!);
      appender.appendVarchar(dst);
      appender.appendVarchar(rows.dstId[i]!);
      appendPosition(appender, rows, i, topics);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export async function appendHotNodes(connection: DuckDBConnection, rows: HotNodeRows, topics: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  const appender = await connection.createAppender('hot_nodes');
  try {
    for (let i = 0; i < rows.length; i++) {
      appender.appendVarchar(NODE_TYPES[rows.type[i]!]!);
      appender.appendVarchar(rows.nodeId[i]!);
      const props = rows.props[i];
      if (props === null || props === undefined) appender.appendNull();
      else appender.appendVarchar(props);
      appendPosition(appender, rows, i, topics);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function appendPosition(appender: DuckDBAppender, rows: HotEdgeRows | HotNodeRows, i: number, topics: readonly string[]): void {
  appender.appendVarchar(topics[rows.topic[i]!]!);
  appender.appendInteger(rows.partition[i]!);
  appender.appendBigInt(BigInt(rows.offset[i]!));
  appender.appendDouble(rows.seenMs[i]!);
  appender.endRow();
}

/** Deletes the hot rows of `topic` that the snapshot now holds (offset below its committed offset). */
export async function dropCoveredRows(connection: DuckDBConnection, table: 'hot_edges' | 'hot_nodes', topic: string, committed: PartitionOffsets): Promise<void> {
  for (const [partition, offset] of committed) {
    await connection.run(`DELETE FROM ${table} WHERE source_topic = $1 AND kafka_partition = $2 AND kafka_offset < $3`, [topic, partition, BigInt(offset)]);
  }
}
