/**
 * What an archive of raw Kafka records looks like to `lakegraph backfill` (docs/INGEST.md,
 * "Backfill from an archive"): the records as a Kafka mirror wrote them, each with the
 * topic, partition and offset it had in Kafka, and its key and value bytes unchanged.
 *
 * JSON lines (`.jsonl`, `.ndjson`, `.json`), one record per line:
 *
 *   {"topic":"app.playback","partition":0,"offset":42,"timestamp":1767225600000,"key":"acct-7","value":"{\"event_id\":…}"}
 *   {"topic":"app.playback","partition":0,"offset":43,"key":null,"value":"eyJldmVudF9pZCI6…","encoding":"base64"}
 *
 * `key` and `value` are the message bytes, null for a null key or a tombstone: by default
 * as a string holding their UTF-8 text (the event JSON as a string, not a nested object,
 * so the bytes come back exactly); with `"encoding":"base64"` both are base64 (for bytes
 * that are not UTF-8). `offset` may be a number or a decimal string (mirrors that keep
 * 64-bit offsets exact write strings); `timestamp` (epoch ms) may be left out. `payload` and
 * `ts` are read as `value` and `timestamp`, so `kcat -C -J` output is an archive as it is.
 *
 * Parquet (`.parquet`): the same columns — `topic` (string), `partition` (integer),
 * `offset` (integer), `key` and `value` (binary, or string for UTF-8 text; nullable),
 * optional `timestamp` (integer epoch ms or a timestamp).
 *
 * A line or row without a topic, partition and offset is not a record whose place in the
 * log is known, so it cannot be replayed or rejected: it is an ArchiveFormatError.
 */
import type { SourceRecord } from '../source-record.js';

export const JSON_LINES_EXTENSIONS = ['.jsonl', '.ndjson', '.json'] as const;
export const PARQUET_EXTENSION = '.parquet';

export type ArchiveFormat = 'json-lines' | 'parquet';

export function archiveFormatOf(location: string): ArchiveFormat | undefined {
  const name = location.toLowerCase();
  if (name.endsWith(PARQUET_EXTENSION)) return 'parquet';
  return JSON_LINES_EXTENSIONS.some((extension) => name.endsWith(extension)) ? 'json-lines' : undefined;
}

/** The archive itself is malformed (not a bad event in it, which is rejected like any other). */
export class ArchiveFormatError extends Error {
  override readonly name = 'ArchiveFormatError';
}

const utf8 = new TextEncoder();

/** A Kafka offset or partition number as an archive may spell it: a safe non-negative integer, or its decimal string. */
export function kafkaNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') value = Number(value);
  else if (typeof value === 'string' && /^\d{1,16}$/.test(value)) value = Number(value);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function bytesOf(field: unknown, base64: boolean): Uint8Array | null | undefined {
  if (field === null || field === undefined) return null;
  if (typeof field !== 'string') return undefined;
  if (!base64) return utf8.encode(field);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(field) || field.length % 4 !== 0) return undefined;
  return Buffer.from(field, 'base64');
}

const lineError = (file: string, lineNumber: number, what: string) => new ArchiveFormatError(`${file}:${lineNumber}: ${what}`);

/** One JSON line as a source record; an error names it `file:lineNumber` (the text is made only then: this runs per record). */
export function recordOfJsonLine(line: string, file: string, lineNumber: number): SourceRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw lineError(file, lineNumber, `not JSON: ${line.slice(0, 80)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw lineError(file, lineNumber, `not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  const { topic, partition, offset, key, encoding, value = fields.payload, timestamp = fields.ts } = fields;
  const kafkaPartition = kafkaNumber(partition);
  const kafkaOffset = kafkaNumber(offset);
  if (typeof topic !== 'string' || kafkaPartition === undefined || kafkaOffset === undefined) {
    throw lineError(file, lineNumber, `needs "topic" (string), "partition" and "offset" (non-negative integers)`);
  }
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'base64') throw lineError(file, lineNumber, `"encoding" must be "utf8" or "base64"`);
  const base64 = encoding === 'base64';
  const keyBytes = bytesOf(key, base64);
  const valueBytes = bytesOf(value, base64);
  if (keyBytes === undefined || valueBytes === undefined) {
    throw lineError(file, lineNumber, `"key" and "value" must be null or strings (${base64 ? 'base64' : 'UTF-8 text; "encoding":"base64" for other bytes'})`);
  }
  const ms = timestamp === undefined ? 0 : kafkaNumber(timestamp);
  if (ms === undefined) throw lineError(file, lineNumber, `"timestamp" must be epoch milliseconds`);
  return { topic, partition: kafkaPartition, offset: kafkaOffset, key: keyBytes, value: valueBytes, timestamp: ms };
}
