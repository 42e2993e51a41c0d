/**
 * Arrow column data made straight from typed arrays and one concatenated UTF-8 buffer
 * (arrow.makeData), because apache-arrow's generic builders are several times slower.
 * Assumes a little-endian host, as Arrow's JS implementation itself does.
 */
import * as arrow from 'apache-arrow';

/** Strings encoded once, back to back: string i is bytes[offsets[i] .. offsets[i+1]). */
export interface EncodedStrings {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

const MAX_INT32 = 2 ** 31 - 1;
const TWO_32 = 2 ** 32;

function checkedTotal(bytes: number): number {
  if (bytes > MAX_INT32) throw new RangeError(`column of ${bytes} bytes exceeds Arrow's 32-bit offsets; flush smaller windows`);
  return bytes;
}

export function encodeStrings(strings: readonly string[]): EncodedStrings {
  let worstCase = 0;
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  for (const s of strings) worstCase += 3 * s.length;
  const bytes = Buffer.allocUnsafe(worstCase);
  const offsets = new Int32Array(strings.length + 1);
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    at += bytes.write(strings[i]!, at, 'utf8');
    offsets[i + 1] = checkedTotal(at);
  }
  return { bytes: bytes.subarray(0, at), offsets };
}

/** A non-null Utf8 column whose row i is dictionary string `indexes[i]`. */
export function utf8ByIndex(dictionary: EncodedStrings, indexes: ArrayLike<number>, length: number): arrow.Data<arrow.Utf8> {
  const { bytes, offsets } = dictionary;
  const valueOffsets = new Int32Array(length + 1);
  let total = 0;
  for (let row = 0; row < length; row++) {
    const id = indexes[row]!;
    total += offsets[id + 1]! - offsets[id]!;
    valueOffsets[row + 1] = checkedTotal(total);
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (let row = 0; row < length; row++) {
    const id = indexes[row]!;
    // Ids are short: a byte loop beats subarray()+set(), which allocate per row.
    for (let from = offsets[id]!, end = offsets[id + 1]!; from < end; from++) data[at++] = bytes[from]!;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length, nullCount: 0, valueOffsets, data });
}

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

/** A Utf8 column from JS strings, nulls allowed; for the few columns that are not dictionary ids. */
export function utf8FromStrings(values: readonly (string | null)[]): arrow.Data<arrow.Utf8> {
  const encoded = encodeStrings(values.map((v) => v ?? ''));
  return arrow.makeData({
    type: new arrow.Utf8(), length: values.length, ...validity(values),
    valueOffsets: encoded.offsets, data: encoded.bytes,
  });
}

export function binaryFromBytes(values: readonly (Uint8Array | null)[]): arrow.Data<arrow.Binary> {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i]?.byteLength ?? 0;
    valueOffsets[i + 1] = checkedTotal(total);
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) data.set(value, valueOffsets[i]!);
  }
  return arrow.makeData({ type: new arrow.Binary(), length: values.length, ...validity(values), valueOffsets, data });
}

/**
 * values[i] × scale as int64 words. Split into 32-bit halves with plain arithmetic, exact
 * while |value × scale| ≤ 2^53 (timestamps up to year 2255 in micros); beyond that, BigInt.
 */
function int64Words(values: ArrayLike<number>, length: number, scale: number): BigInt64Array {
  const out = new BigInt64Array(length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < length; i++) {
    const v = values[i]! * scale;
    if (Math.abs(v) <= Number.MAX_SAFE_INTEGER) {
      const hi = Math.floor(v / TWO_32);
      words[2 * i] = (v - hi * TWO_32) | 0;
      words[2 * i + 1] = hi;
    } else {
      out[i] = BigInt(values[i]!) * BigInt(scale);
    }
  }
  return out;
}

export function int64Column(values: ArrayLike<number>, length: number): arrow.Data<arrow.Int64> {
  return arrow.makeData({ type: new arrow.Int64(), length, nullCount: 0, data: int64Words(values, length, 1) });
}

export function int32Column(values: Int32Array): arrow.Data<arrow.Int32> {
  return arrow.makeData({ type: new arrow.Int32(), length: values.length, nullCount: 0, data: values });
}

/** Epoch ms → Iceberg timestamptz: microseconds since epoch, UTC. */
export function timestamptzColumn(epochMs: ArrayLike<number>, length: number): arrow.Data<arrow.TimestampMicrosecond> {
  return arrow.makeData({
    type: new arrow.TimestampMicrosecond('UTC'), length, nullCount: 0, data: int64Words(epochMs, length, 1000),
  });
}

/** Epoch ms → timestamptz as above, null where the value is not finite (-Infinity: nothing was observed). */
export function optionalTimestamptzColumn(epochMs: ArrayLike<number>, length: number): arrow.Data<arrow.TimestampMicrosecond> {
  const finite = new Float64Array(length);
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    const ms = epochMs[i]!;
    if (Number.isFinite(ms)) {
      finite[i] = ms;
      nullBitmap[i >> 3]! |= 1 << (i & 7);
    } else {
      nullCount++;
    }
  }
  return arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length, nullCount, nullBitmap, data: int64Words(finite, length, 1000) });
}

/** One record batch as a Table of exactly `schema`; refuses columns whose types drift from it. */
export function tableOf(schema: arrow.Schema, length: number, columns: readonly arrow.Data[]): arrow.Table {
  schema.fields.forEach((field, i) => {
    const column = columns[i];
    if (column === undefined || column.length !== length || String(column.type) !== String(field.type)) {
      throw new Error(`column ${i} (${field.name}) does not match ${field.type} × ${length}`);
    }
  });
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children: [...columns] });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
}
