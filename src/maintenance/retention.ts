/**
 * Row retention (TTL): a graph row is dropped once its time column is older than the
 * cutoff. Column bounds in the manifest tell, without opening a file, whether all of
 * its rows are past the cutoff (drop the file), none are (keep it), or some are
 * (rewrite it with the old rows filtered out).
 */
import type { DataFile } from '../lake/spec/data-file.js';
import { fieldByName, type Schema } from '../lake/spec/schema.js';
import { deserializeSingleValue } from '../lake/spec/single-value.js';
import type { TableName } from '../lake/tables.js';

/** The column whose age decides a row's retention, per graph table. */
export const RETENTION_COLUMN: Readonly<Record<TableName, string>> = {
  edges: 'last_seen',
  nodes: 'last_seen',
  rejected_events: 'rejected_at',
};

export type RetentionVerdict = 'expired' | 'partly-expired' | 'retained';

/** Classifies files against a cutoff in epoch microseconds (rows with time < cutoff go). */
export function retentionOf(schema: Schema, table: TableName, cutoffMicros: bigint): (file: DataFile) => RetentionVerdict {
  const field = fieldByName(schema, RETENTION_COLUMN[table]);
  const bound = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : (deserializeSingleValue(field.type, bytes) as bigint));
  return (file) => {
    const upper = bound(file.metrics.upperBounds.get(field.id));
    if (upper !== undefined && upper < cutoffMicros) return 'expired';
    const lower = bound(file.metrics.lowerBounds.get(field.id));
    if (lower !== undefined && lower >= cutoffMicros) return 'retained';
    return 'partly-expired';
  };
}
