/**
 * The SQL that merges a bin's rows (DuckDB dialect). Rows of one key and source topic
 * become one row with min(first_seen), max(last_seen) and sum(event_count) — the
 * aggregates docs/CONTRACTS.md §3 defines, so merging never changes them; source_topic stays in
 * the key so no row's provenance is lost. The rows come out unordered: `writeDataFiles`
 * sorts every file it writes by the table's sort order, as it does for streamed rows.
 */
import { sqlIdentifier, sqlString } from '../query/snapshot-views.js';
import type { TableName } from '../lake/tables.js';
import { RETENTION_COLUMN } from './retention.js';

const MERGE_SELECT: Readonly<Record<TableName, string>> = {
  edges: `
    SELECT edge_type, src_type, src_id, dst_type, dst_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count, source_topic
    FROM input
    GROUP BY edge_type, src_type, src_id, dst_type, dst_id, source_topic`,
  // A node's props are those of its latest event that carried them (docs/CONTRACTS.md §2); per
  // row that is the row's newest observation with props.
  nodes: `
    SELECT node_type, node_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count,
           arg_max(props, last_seen) FILTER (WHERE props IS NOT NULL) AS props, source_topic
    FROM input
    GROUP BY node_type, node_id, source_topic`,
  // Rejected records are each unique (topic, partition, offset): nothing to merge.
  rejected_events: `
    SELECT topic, "partition", "offset", "key", payload, reason, rejected_at
    FROM input`,
};

function inputRows(table: TableName, files: readonly string[], cutoffMicros: bigint | undefined): string {
  const scan = `SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}])`;
  return cutoffMicros === undefined ? scan : `${scan} WHERE epoch_us(${sqlIdentifier(RETENTION_COLUMN[table])}) >= ${cutoffMicros}`;
}

/** The merged, sorted rows of `files`, without rows older than the cutoff when one is given. */
export function mergeQuery(table: TableName, files: readonly string[], cutoffMicros?: bigint): string {
  return `WITH input AS (${inputRows(table, files, cutoffMicros)}) ${MERGE_SELECT[table]}`;
}

/** How many rows of `files` are older than the cutoff. */
export function expiredRowsQuery(table: TableName, files: readonly string[], cutoffMicros: bigint): string {
  return `SELECT count(*)::BIGINT AS n FROM read_parquet([${files.map(sqlString).join(', ')}]) WHERE epoch_us(${sqlIdentifier(RETENTION_COLUMN[table])}) < ${cutoffMicros}`;
}
