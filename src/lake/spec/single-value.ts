/**
 * Iceberg single-value binary serialization (spec Appendix D), used for column bounds
 * and partition summaries: little-endian ints and longs, UTF-8 strings, raw binary.
 */
import type { PrimitiveType } from './schema.js';

/** A typed value: bigint for long/timestamp(tz) micros, number for int/date, string, bytes. */
export type Literal = string | bigint | number | boolean | Uint8Array;

export function serializeSingleValue(type: PrimitiveType, value: Literal): Uint8Array {
  switch (type) {
    case 'string':
      return new TextEncoder().encode(value as string);
    case 'binary':
      return value as Uint8Array;
    case 'boolean':
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, Number(value), true);
      return out;
    }
    case 'long':
    case 'timestamp':
    case 'timestamptz': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, BigInt(value as bigint | number), true);
      return out;
    }
    case 'float': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setFloat32(0, value as number, true);
      return out;
    }
    case 'double': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, value as number, true);
      return out;
    }
  }
}

export function deserializeSingleValue(type: PrimitiveType, bytes: Uint8Array): Literal {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'string':
      return new TextDecoder().decode(bytes);
    case 'binary':
      return bytes;
    case 'boolean':
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      return view.getInt32(0, true);
    case 'long':
    case 'timestamp':
    case 'timestamptz':
      return view.getBigInt64(0, true);
    case 'float':
      return view.getFloat32(0, true);
    case 'double':
      return view.getFloat64(0, true);
  }
}
