import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { murmur3Bytes } from '../../src/lake/spec/murmur3.js';
import {
  applyTransform,
  bucketOf,
  hashLiteral,
  parseTransform,
  transformResultType,
} from '../../src/lake/spec/transforms.js';
import { deserializeSingleValue, serializeSingleValue } from '../../src/lake/spec/single-value.js';
import { EDGES_PARTITION_SPEC, NODES_PARTITION_SPEC, REJECTED_PARTITION_SPEC } from '../../src/lake/tables.js';

const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('murmur3 hash (Iceberg spec Appendix B test vectors)', () => {
  it('hashes ints and longs as 8-byte little-endian longs', () => {
    assert.equal(hashLiteral('int', 34), 2017239379);
    assert.equal(hashLiteral('long', 34n), 2017239379);
  });
  it('hashes dates as their day number', () => {
    assert.equal(hashLiteral('date', 17486), -653330422); // 2017-11-16
  });
  it('hashes timestamps as micros, timestamptz by instant', () => {
    assert.equal(hashLiteral('timestamp', micros('2017-11-16T22:31:08Z')), -2047944441);
    assert.equal(hashLiteral('timestamptz', micros('2017-11-16T14:31:08-08:00')), -2047944441);
  });
  it('hashes strings as UTF-8 and binary as bytes', () => {
    assert.equal(hashLiteral('string', 'iceberg'), 1210000089);
    assert.equal(hashLiteral('binary', Uint8Array.of(0, 1, 2, 3)), -188683207);
  });
  it('hashes a byte range in place, as from an Arrow value buffer', () => {
    const buffer = new TextEncoder().encode('xxicebergyy');
    assert.equal(murmur3Bytes(buffer, 2, 9), 1210000089);
  });
});

describe('partition transforms', () => {
  it('buckets drop the sign bit before the modulo', () => {
    assert.equal(bucketOf(-2047944441, 16), (-2047944441 & 0x7fffffff) % 16);
    assert.equal(applyTransform(parseTransform('bucket[8]'), 'string', 'iceberg'), 1210000089 % 8);
  });
  it('day and hour floor toward negative infinity', () => {
    const day = parseTransform('day');
    const hour = parseTransform('hour');
    assert.equal(applyTransform(day, 'timestamptz', micros('2017-11-16T22:31:08Z')), 17486);
    assert.equal(applyTransform(day, 'timestamptz', -1n), -1);
    assert.equal(applyTransform(hour, 'timestamptz', micros('1970-01-01T01:00:00Z')), 1);
    assert.equal(applyTransform(hour, 'timestamptz', -1n), -1);
  });
  it('parses bucket widths and rejects unknown transforms', () => {
    assert.deepEqual(parseTransform('bucket[16]'), { kind: 'bucket', buckets: 16 });
    assert.throws(() => parseTransform('truncate[4]' as never), /unsupported partition transform/);
  });
  it('gives the spec result types', () => {
    assert.equal(transformResultType(parseTransform('day'), 'timestamptz'), 'date');
    assert.equal(transformResultType(parseTransform('bucket[8]'), 'string'), 'int');
    assert.equal(transformResultType(parseTransform('hour'), 'timestamptz'), 'int');
    assert.equal(transformResultType(parseTransform('identity'), 'long'), 'long');
  });
});

describe('single-value serialization', () => {
  it('round-trips every supported type little-endian', () => {
    assert.deepEqual([...serializeSingleValue('int', 1)], [1, 0, 0, 0]);
    assert.deepEqual([...serializeSingleValue('timestamptz', 256n)], [0, 1, 0, 0, 0, 0, 0, 0]);
    assert.equal(deserializeSingleValue('string', serializeSingleValue('string', 'héllo')), 'héllo');
    assert.equal(deserializeSingleValue('long', serializeSingleValue('long', -5n)), -5n);
    assert.equal(deserializeSingleValue('date', serializeSingleValue('date', 17486)), 17486);
  });
});

describe('table partition specs', () => {
  it('partition edges by day(last_seen) and bucket(8, src_id) with ids from 1000', () => {
    assert.deepEqual(EDGES_PARTITION_SPEC, {
      'spec-id': 0,
      fields: [
        { 'source-id': 7, 'field-id': 1000, name: 'last_seen_day', transform: 'day' },
        { 'source-id': 3, 'field-id': 1001, name: 'src_id_bucket', transform: 'bucket[8]' },
      ],
    });
    assert.deepEqual(NODES_PARTITION_SPEC.fields, [{ 'source-id': 2, 'field-id': 1000, name: 'node_id_bucket', transform: 'bucket[8]' }]);
    assert.deepEqual(REJECTED_PARTITION_SPEC.fields, [{ 'source-id': 7, 'field-id': 1000, name: 'rejected_at_day', transform: 'day' }]);
  });
});
