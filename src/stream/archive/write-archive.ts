/**
 * Archives written in the format `lakegraph backfill` reads (archive-format.ts), from
 * source records: what the tests and the backfill benchmark replay, and a reference for a
 * mirror that writes archives.
 */
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { SourceRecord } from '../source-record.js';

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Uint8Array | null): string | null | undefined {
  if (bytes === null) return null;
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The JSON line `recordOfJsonLine` reads back as `record`: key and value as UTF-8 text when both are, base64 otherwise. */
export function jsonLineOf(record: SourceRecord): string {
  const key = textOf(record.key);
  const value = textOf(record.value);
  const { topic, partition, offset, timestamp } = record;
  if (key !== undefined && value !== undefined) return JSON.stringify({ topic, partition, offset, timestamp, key, value });
  const base64 = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('base64'));
  return JSON.stringify({ topic, partition, offset, timestamp, key: base64(record.key), value: base64(record.value), encoding: 'base64' });
}

export const jsonLinesOf = (records: readonly SourceRecord[]): string => records.map((r) => `${jsonLineOf(r)}\n`).join('');

/** A Parquet archive file: key as a string column (it is UTF-8 text here), value as binary, as a mirror may write either. */
export function parquetArchiveOf(records: readonly SourceRecord[]): Uint8Array {
  const table = new arrow.Table({
    topic: arrow.vectorFromArray(records.map((r) => r.topic), new arrow.Utf8()),
    partition: arrow.vectorFromArray(records.map((r) => r.partition), new arrow.Int32()),
    offset: arrow.vectorFromArray(records.map((r) => BigInt(r.offset)), new arrow.Int64()),
    key: arrow.vectorFromArray(records.map((r) => textOf(r.key) ?? null), new arrow.Utf8()),
    value: arrow.vectorFromArray(records.map((r) => r.value), new arrow.Binary()),
    timestamp: arrow.vectorFromArray(records.map((r) => BigInt(r.timestamp)), new arrow.Int64()),
  });
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}
