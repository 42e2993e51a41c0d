/**
 * Iceberg column metrics (value/null counts, lower/upper bounds) computed straight from
 * Arrow buffers. Loops read typed arrays and compare bytes in place, so a column of a
 * million rows costs no per-row allocation; bounds are copied out once at the end.
 */
import type * as arrow from 'apache-arrow';
import type { NestedField, Schema } from '../spec/schema.js';
import type { ColumnMetrics } from '../spec/metrics.js';

type Bounds = { lower: Uint8Array; upper: Uint8Array };

/** Column metrics without column sizes, which only the written file can tell. */
export type ValueMetrics = Omit<ColumnMetrics, 'columnSizes'>;

export function columnMetricsOf(table: arrow.Table, schema: Schema): ValueMetrics {
  const valueCounts = new Map<number, bigint>();
  const nullValueCounts = new Map<number, bigint>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  schema.fields.forEach((field, index) => {
    const chunks = table.getChildAt(index)?.data;
    if (!chunks) throw new Error(`table has no column ${index} for field "${field.name}"`);
    valueCounts.set(field.id, BigInt(table.numRows));
    nullValueCounts.set(field.id, BigInt(chunks.reduce((sum, chunk) => sum + chunk.nullCount, 0)));
    const bounds = boundsOf(field, chunks);
    if (bounds) {
      lowerBounds.set(field.id, bounds.lower);
      upperBounds.set(field.id, bounds.upper);
    }
  });
  return { valueCounts, nullValueCounts, lowerBounds, upperBounds };
}

/**
 * Binary bounds are optional in Iceberg and useless for pruning payloads; booleans and
 * floating point (NaN rules) are not used by our tables, so they get counts only.
 */
function boundsOf(field: NestedField, chunks: readonly arrow.Data[]): Bounds | undefined {
  switch (field.type) {
    case 'int':
    case 'date':
      return int32Bounds(chunks);
    case 'long':
    case 'timestamp':
    case 'timestamptz':
      return int64Bounds(chunks);
    case 'string':
      return utf8Bounds(chunks);
    case 'binary':
    case 'boolean':
    case 'float':
    case 'double':
      return undefined;
  }
}

/**
 * Validity test for one chunk, hoisted out of the row loops: without nulls it is a
 * constant, and `Data.nullCount` is a getter that must not run per row.
 */
function validityOf(chunk: arrow.Data): (row: number) => boolean {
  if (chunk.nullCount === 0) return () => true;
  const bitmap = chunk.nullBitmap!;
  const offset = chunk.offset;
  return (row) => (bitmap[(offset + row) >> 3] & (1 << ((offset + row) & 7))) !== 0;
}

function int32Bounds(chunks: readonly arrow.Data[]): Bounds | undefined {
  let min = 0;
  let max = 0;
  let seen = false;
  for (const chunk of chunks) {
    const values = chunk.values as Int32Array;
    const isValid = validityOf(chunk);
    for (let row = 0; row < chunk.length; row++) {
      if (!isValid(row)) continue;
      const v = values[row];
      if (!seen) {
        min = max = v;
        seen = true;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
  }
  if (!seen) return undefined;
  const lower = new Uint8Array(4);
  const upper = new Uint8Array(4);
  new DataView(lower.buffer).setInt32(0, min, true);
  new DataView(upper.buffer).setInt32(0, max, true);
  return { lower, upper };
}

/**
 * Longs are compared as (signed high word, unsigned low word) pairs read through 32-bit
 * views: reading a BigInt64Array element allocates a BigInt, which this loop must not do.
 * The bound bytes are then the value's own little-endian bytes from the Arrow buffer.
 */
function int64Bounds(chunks: readonly arrow.Data[]): Bounds | undefined {
  let minHi = 0, minLo = 0, maxHi = 0, maxLo = 0;
  let seen = false;
  for (const chunk of chunks) {
    const values = chunk.values as BigInt64Array;
    const hiWords = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const loWords = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    const isValid = validityOf(chunk);
    for (let row = 0; row < chunk.length; row++) {
      if (!isValid(row)) continue;
      const hi = hiWords[2 * row + 1];
      const lo = loWords[2 * row];
      if (!seen) {
        minHi = maxHi = hi;
        minLo = maxLo = lo;
        seen = true;
        continue;
      }
      if (hi < minHi || (hi === minHi && lo < minLo)) {
        minHi = hi;
        minLo = lo;
      }
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
        maxHi = hi;
        maxLo = lo;
      }
    }
  }
  if (!seen) return undefined;
  return { lower: int64Bytes(minHi, minLo), upper: int64Bytes(maxHi, maxLo) };
}

function int64Bytes(hi: number, lo: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, lo, true);
  view.setInt32(4, hi, true);
  return bytes;
}

/**
 * Iceberg orders strings by their UTF-8 bytes compared unsigned, i.e. by code point.
 * Most rows differ from the current min and max in their first byte, so that byte
 * (-1 for the empty string) settles the comparison before any byte loop runs.
 */
function utf8Bounds(chunks: readonly arrow.Data[]): Bounds | undefined {
  let minBytes: Uint8Array | undefined;
  let minStart = 0, minEnd = 0, minLead = 0;
  let maxBytes: Uint8Array | undefined;
  let maxStart = 0, maxEnd = 0, maxLead = 0;
  for (const chunk of chunks) {
    const bytes = chunk.values as Uint8Array;
    const offsets = chunk.valueOffsets as Int32Array;
    const isValid = validityOf(chunk);
    for (let row = 0; row < chunk.length; row++) {
      if (!isValid(row)) continue;
      const start = offsets[row];
      const end = offsets[row + 1];
      const lead = start < end ? bytes[start] : -1;
      if (minBytes === undefined || lead < minLead || (lead === minLead && compareBytes(bytes, start, end, minBytes, minStart, minEnd) < 0)) {
        minBytes = bytes;
        minStart = start;
        minEnd = end;
        minLead = lead;
      }
      if (maxBytes === undefined || lead > maxLead || (lead === maxLead && compareBytes(bytes, start, end, maxBytes, maxStart, maxEnd) > 0)) {
        maxBytes = bytes;
        maxStart = start;
        maxEnd = end;
        maxLead = lead;
      }
    }
  }
  if (minBytes === undefined || maxBytes === undefined) return undefined;
  return { lower: minBytes.slice(minStart, minEnd), upper: maxBytes.slice(maxStart, maxEnd) };
}

function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const common = Math.min(aLength, bLength);
  for (let i = 0; i < common; i++) {
    const diff = a[aStart + i] - b[bStart + i];
    if (diff !== 0) return diff;
  }
  return aLength - bLength;
}
