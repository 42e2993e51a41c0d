/**
 * Iceberg partition transforms (spec: "Partition Transforms") on single values. The
 * Arrow write path reuses the scalar kernels (`bucketOf`, `dayOfMicros`, `hourOfMicros`)
 * column-wise.
 */
import { murmur3Bytes, murmur3Long } from './murmur3.js';
import type { PartitionValue, Transform } from './partition-spec.js';
import type { PrimitiveType } from './schema.js';
import type { Literal } from './single-value.js';

export type ParsedTransform =
  | { readonly kind: 'identity' }
  | { readonly kind: 'bucket'; readonly buckets: number }
  | { readonly kind: 'day' }
  | { readonly kind: 'hour' };

export function parseTransform(transform: Transform): ParsedTransform {
  if (transform === 'identity' || transform === 'day' || transform === 'hour') return { kind: transform };
  const match = /^bucket\[(\d+)\]$/.exec(transform);
  if (!match || Number(match[1]) < 1) throw new Error(`unsupported partition transform "${transform}"`);
  return { kind: 'bucket', buckets: Number(match[1]) };
}

export function bucketTransform(buckets: number): Transform {
  return `bucket[${buckets}]`;
}

/** The type of the partition value (how manifests store it); day yields a date per the spec. */
export function transformResultType(transform: ParsedTransform, sourceType: PrimitiveType): PrimitiveType {
  switch (transform.kind) {
    case 'identity': return sourceType;
    case 'bucket': return 'int';
    case 'day': return 'date';
    case 'hour': return 'int';
  }
}

/** Whether value order is preserved, so a range on the source maps to a range of partition values. */
export function isOrderPreserving(transform: ParsedTransform): boolean {
  return transform.kind !== 'bucket';
}

const MICROS_PER_HOUR = 3_600_000_000;
const MICROS_PER_DAY = 86_400_000_000;

/** Micros are exact as doubles until year 2255, so the hot path avoids bigint. */
export function dayOfMicros(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY);
}

export function hourOfMicros(micros: number): number {
  return Math.floor(micros / MICROS_PER_HOUR);
}

/** Iceberg's bucket of a murmur3 hash: drop the sign bit, then modulo. */
export function bucketOf(hash: number, buckets: number): number {
  return (hash & 0x7fffffff) % buckets;
}

export function hashLiteral(sourceType: PrimitiveType, value: Literal): number {
  switch (sourceType) {
    case 'int':
    case 'date':
    case 'long':
    case 'timestamp':
    case 'timestamptz': {
      const long = BigInt.asIntN(64, BigInt(value as number | bigint));
      return murmur3Long(Number(BigInt.asIntN(32, long)), Number(long >> 32n));
    }
    case 'string':
      return murmur3Bytes(new TextEncoder().encode(value as string));
    case 'binary':
      return murmur3Bytes(value as Uint8Array);
    default:
      throw new Error(`bucket transform does not apply to ${sourceType}`);
  }
}

export function applyTransform(transform: ParsedTransform, sourceType: PrimitiveType, value: Literal): PartitionValue {
  switch (transform.kind) {
    case 'identity':
      if (typeof value === 'boolean' || value instanceof Uint8Array) {
        throw new Error(`identity partitions on ${sourceType} are not supported`);
      }
      return value;
    case 'bucket':
      return bucketOf(hashLiteral(sourceType, value), transform.buckets);
    case 'day':
      return sourceType === 'date' ? Number(value) : dayOfMicros(Number(micros(sourceType, value)));
    case 'hour':
      return hourOfMicros(Number(micros(sourceType, value)));
  }
}

function micros(sourceType: PrimitiveType, value: Literal): bigint {
  if (sourceType !== 'timestamp' && sourceType !== 'timestamptz') {
    throw new Error(`time transforms need a timestamp source, not ${sourceType}`);
  }
  return BigInt(value as bigint | number);
}
