/**
 * The SQL that merges a bin's rows (DuckDB dialect). Rows of one key and source topic
 * become one row with min(first_seen), max(last_seen) and sum(event_count) — the
 * aggregates docs/CONTRACTS.md §3 defines, so merging never changes them; source_topic stays in
 * the key so no row's provenance is lost. The rows come out unordered: `writeDataFiles`
 * sorts every file it writes by the table's sort order, as it does for streamed rows.
 */
import { parquetScan, sqlIdentifier } from '../query/snapshot-views.js';
import type { Schema } from '../lake/spec/schema.js';
import type { TableName } from '../lake/tables.js';
import { RETENTION_COLUMN } from './retention.js';

/** Which row's props a node keeps: the same order sql/device_props.sql reads them in. */
const PROPS_ORDER = 'props_ts DESC NULLS LAST, last_seen DESC';

const MERGE_SELECT: Readonly<Record<TableName, string>> = {
  edges: `
    SELECT edge_type, src_type, src_id, dst_type, dst_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count, source_topic
    FROM input
    GROUP BY edge_type, src_type, src_id, dst_type, dst_id, source_topic`,
  // A node's props are those of its row with the greatest props_ts (docs/CONTRACTS.md §3);
  // rows older than that column have none, so rank lowest, newest last_seen first. The
  // merged row keeps the props_ts of the props it kept.
  nodes: `
    SELECT node_type, node_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count,
           first(props ORDER BY ${PROPS_ORDER}) FILTER (WHERE props IS NOT NULL) AS props, source_topic,
           first(props_ts ORDER BY ${PROPS_ORDER}) FILTER (WHERE props IS NOT NULL) AS props_ts
    FROM input
    GROUP BY node_type, node_id, source_topic`,
  // Rejected records are each unique (topic, partition, offset): nothing to merge.
  rejected_events: `
    SELECT topic, "partition", "offset", "key", payload, reason, rejected_at
    FROM input`,
};

/** `schema`: the table's current one; files written before a column was added read it as null. */
function inputRows(table: TableName, schema: Schema, files: readonly string[], cutoffMicros: bigint | undefined): string {
  const scan = `SELECT * FROM ${parquetScan(schema.fields, files)}`;
  return cutoffMicros === undefined ? scan : `${scan} WHERE epoch_us(${sqlIdentifier(RETENTION_COLUMN[table])}) >= ${cutoffMicros}`;
}

/** The merged rows of `files`, without rows older than the cutoff when one is given. */
export function mergeQuery(table: TableName, schema: Schema, files: readonly string[], cutoffMicros?: bigint): string {
  return `WITH input AS (${inputRows(table, schema, files, cutoffMicros)}) ${MERGE_SELECT[table]}`;
}

/** How many rows of `files` are older than the cutoff. */
export function expiredRowsQuery(table: TableName, schema: Schema, files: readonly string[], cutoffMicros: bigint): string {
  return `SELECT count(*)::BIGINT AS n FROM ${parquetScan(schema.fields, files)} WHERE epoch_us(${sqlIdentifier(RETENTION_COLUMN[table])}) < ${cutoffMicros}`;
}
