/**
 * The lake's own history and layout as DuckDB views, for the `sql/` files that ask about
 * commits and files rather than the graph: `snapshots(table_name, snapshot_id,
 * committed_at, operation, summary MAP(VARCHAR, VARCHAR))` and `data_files(table_name,
 * partition, file_size_in_bytes, record_count)`, the shapes PyIceberg's `inspect`
 * gives the notebooks. Values come from our own metadata and are written as literals.
 */
import { partitionSpecById } from '../lake/spec/table-metadata.js';
import type { TableName } from '../lake/tables.js';
import type { SnapshotTier } from './snapshot-tier.js';
import { sqlString } from './snapshot-views.js';

const list = (values: readonly string[]) => `[${values.map(sqlString).join(', ')}]::VARCHAR[]`;

function selectRows(rows: readonly string[], columns: string, emptyRow: string): string {
  return rows.length > 0 ? `SELECT * FROM (VALUES ${rows.join(', ')}) AS t(${columns})` : `SELECT * FROM (VALUES (${emptyRow})) AS t(${columns}) WHERE false`;
}

export function snapshotsSelect(tier: SnapshotTier, tables: readonly TableName[]): string {
  const rows = tables.flatMap((name) =>
    (tier[name].metadata.snapshots ?? []).map((s) => {
      const entries = Object.entries(s.summary);
      return `(${sqlString(name)}, ${s['snapshot-id']}::BIGINT, make_timestamptz(${s['timestamp-ms']}::BIGINT * 1000), ${sqlString(s.summary.operation)}, MAP(${list(entries.map(([k]) => k))}, ${list(entries.map(([, v]) => v))}))`;
    }),
  );
  return selectRows(rows, 'table_name, snapshot_id, committed_at, operation, summary', "'', 0::BIGINT, now(), '', MAP([]::VARCHAR[], []::VARCHAR[])");
}

/** `partition` reads like a Hive path segment list: `last_seen_day=20418/src_id_bucket=3`. */
export function dataFilesSelect(tier: SnapshotTier, tables: readonly TableName[]): string {
  const rows = tables.flatMap((name) =>
    tier[name].files.map((file) => {
      const spec = partitionSpecById(tier[name].metadata, file.specId);
      const label = spec.fields.map((field, i) => `${field.name}=${String(file.partition[i])}`).join('/');
      return `(${sqlString(name)}, ${sqlString(label)}, ${file.fileSizeInBytes}::BIGINT, ${file.recordCount}::BIGINT)`;
    }),
  );
  return selectRows(rows, 'table_name, partition, file_size_in_bytes, record_count', "'', '', 0::BIGINT, 0::BIGINT");
}
