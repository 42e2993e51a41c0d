/** Buffered rejects → an Arrow table of exactly `arrowSchemaOf(REJECTED_SCHEMA)`. */
import type * as arrow from 'apache-arrow';
import { REJECTED_SCHEMA, arrowSchemaOf } from '../../lake/tables.js';
import type { RejectedRecord } from '../window/rejected-buffer.js';
import { binaryFromBytes, int32Column, int64Column, tableOf, timestamptzColumn, utf8FromStrings } from './columns.js';

const SCHEMA = arrowSchemaOf(REJECTED_SCHEMA);

export function rejectedTable(records: readonly RejectedRecord[]): arrow.Table {
  const { length } = records;
  return tableOf(SCHEMA, length, [
    utf8FromStrings(records.map((r) => r.topic)),
    int32Column(Int32Array.from(records, (r) => r.partition)),
    int64Column(records.map((r) => r.offset), length),
    binaryFromBytes(records.map((r) => r.key)),
    binaryFromBytes(records.map((r) => r.payload)),
    utf8FromStrings(records.map((r) => r.reason)),
    timestamptzColumn(records.map((r) => r.rejectedAt), length),
  ]);
}
