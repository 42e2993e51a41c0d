/**
 * Avro object container files (Avro spec: "Object Container Files") in memory. avsc
 * encodes the values; the container is framed here so the header carries our schema
 * JSON verbatim (avsc would re-export it and drop Iceberg's `field-id` attributes).
 * Longs are bigints so 64-bit ids and counts written by any engine read back exactly.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';

const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const BLOCK_COUNT = avro.Type.forSchema('long');

/** A schema with Iceberg's extra attributes (`field-id`, `element-id`, `logicalType: map`). */
export type AvroSchema = Record<string, unknown>;

function typeOf(schema: AvroSchema): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: bigintLong } });
}

/** Writes all records as one deflate-compressed block. */
export function encodeAvroContainer(
  schema: AvroSchema,
  records: readonly unknown[],
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const type = typeOf(schema);
  const sync = randomBytes(16);
  const meta: Record<string, Buffer> = { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'avro.codec': Buffer.from('deflate') };
  for (const [key, value] of Object.entries(metadata)) meta[key] = Buffer.from(value);
  const parts: Buffer[] = [HEADER.toBuffer({ magic: MAGIC, meta, sync })];
  if (records.length > 0) {
    const block = deflateRawSync(Buffer.concat(records.map((r) => type.toBuffer(r))));
    parts.push(BLOCK_COUNT.toBuffer(records.length), BLOCK_COUNT.toBuffer(block.length), block, sync);
  }
  return Buffer.concat(parts);
}

export interface AvroContainer<T> {
  readonly records: T[];
  readonly metadata: ReadonlyMap<string, string>;
}

export function decodeAvroContainer<T>(bytes: Uint8Array): AvroContainer<T> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = HEADER.decode(buf, 0);
  const { magic, meta } = header.value as { magic: Buffer; meta: Record<string, Buffer> };
  if (header.offset < 0 || !magic.equals(MAGIC)) throw new Error('not an Avro object container file');
  const metadata = new Map(Object.entries(meta).map(([key, value]) => [key, value.toString()]));
  const type = typeOf(JSON.parse(metadata.get('avro.schema') ?? 'null'));
  const codec = metadata.get('avro.codec') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`unsupported Avro codec ${codec}`);

  const records: T[] = [];
  let pos = header.offset;
  while (pos < buf.length) {
    const count = BLOCK_COUNT.decode(buf, pos);
    const size = BLOCK_COUNT.decode(buf, count.offset);
    const end = size.offset + (size.value as number);
    const raw = buf.subarray(size.offset, end);
    const block = codec === 'deflate' ? inflateRawSync(raw) : raw;
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const record = type.decode(block, at);
      records.push(record.value as T);
      at = record.offset;
    }
    pos = end + 16;
  }
  return { records, metadata };
}
