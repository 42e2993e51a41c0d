import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { decodeEvent } from '../../src/events/decode.js';
import { rejectionKindOf } from '../../src/events/rejection.js';
import { TOPICS } from '../../src/events/topics.js';
import { partitionOfKey } from '../../src/stream/key-partitioner.js';
import { BAD_RECORD_KINDS, REJECTION_OF_BAD_RECORD } from '../../src/stream/generator/bad-records.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import type { SourceRecord } from '../../src/stream/source-record.js';

const BASE_TS = Date.UTC(2025, 10, 26, 10);
const options: GeneratorOptions = { events: 50_000, seed: 42, baseTs: BASE_TS };
const records = [...new RecordGenerator(options)];

const fingerprint = (r: SourceRecord) =>
  `${r.topic}/${r.partition}/${r.offset}/${r.timestamp}/${Buffer.from(r.key ?? []).toString('hex')}/${Buffer.from(r.value ?? []).toString('base64')}`;

describe('RecordGenerator', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const again = [...new RecordGenerator(options)];
    assert.equal(again.length, records.length);
    assert.ok(again.every((r, i) => fingerprint(r) === fingerprint(records[i]!)));
    const other = [...new RecordGenerator({ ...options, events: 1_000, seed: 43 })];
    assert.ok(other.some((r, i) => fingerprint(r) !== fingerprint(records[i]!)));
  });

  it('emits every bad-record kind, each rejected with the kind it claims, and nothing else rejected', () => {
    const generator = new RecordGenerator(options);
    const rejectedByKind = new Map<string, number>();
    for (const record of generator) {
      const decoded = decodeEvent(record.topic, record.value);
      if (!decoded.ok) {
        const kind = rejectionKindOf(decoded.reason);
        rejectedByKind.set(kind, (rejectedByKind.get(kind) ?? 0) + 1);
      }
    }
    const claimed = new Map<string, number>();
    for (const kind of BAD_RECORD_KINDS) {
      assert.ok(generator.stats.bad[kind] > 0, `no ${kind} record`);
      const rejection = REJECTION_OF_BAD_RECORD[kind];
      claimed.set(rejection, (claimed.get(rejection) ?? 0) + generator.stats.bad[kind]);
    }
    assert.deepEqual(rejectedByKind, claimed);
    assert.ok(generator.stats.bad.oversize <= 3, 'oversize stays rare');
    const badShare = BAD_RECORD_KINDS.reduce((n, k) => n + generator.stats.bad[k], 0) / records.length;
    assert.ok(badShare > 0.003 && badShare < 0.007, `bad share ${badShare}`);
  });

  it('re-delivers ~3% of events, some beyond the dedup horizon', () => {
    const stats = new RecordGenerator(options);
    [...stats];
    const share = stats.stats.duplicates / records.length;
    assert.ok(share > 0.02 && share < 0.04, `duplicate share ${share}`);
    assert.ok(stats.stats.lateDuplicates > 0);
    const values = new Map<string, number>();
    for (const r of records) {
      const text = Buffer.from(r.value ?? []).toString('latin1');
      values.set(text, (values.get(text) ?? 0) + 1);
    }
    assert.ok([...values.values()].some((n) => n > 1), 'same bytes delivered more than once');
  });

  it('covers all five topics, keys by account_id, partitions like Kafka, offsets count up per partition', () => {
    const kafkaPartitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 4 }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const nextOffset = new Map<string, number>();
    const topics = new Set<string>();
    for (const r of records) {
      topics.add(r.topic);
      const key = r.key!;
      assert.equal(r.partition, partitionOfKey(key, 4));
      assert.equal(r.partition, kafkaPartitioner({ topic: r.topic, partitionMetadata, message: { key: Buffer.from(key), value: null } }));
      const tp = `${r.topic}/${r.partition}`;
      assert.equal(r.offset, nextOffset.get(tp) ?? 0);
      nextOffset.set(tp, r.offset + 1);
      const decoded = decodeEvent(r.topic, r.value);
      if (decoded.ok) assert.equal(decoded.event.account_id, Buffer.from(key).toString());
    }
    assert.deepEqual([...topics].sort(), [...TOPICS].sort());
  });

  it('advances event time from the base across the span, out of order by seconds', () => {
    let outOfOrder = 0;
    let newest = -Infinity;
    let oldest = Infinity;
    let previous = -Infinity;
    for (const r of records) {
      const decoded = decodeEvent(r.topic, r.value);
      if (!decoded.ok) continue;
      const { ts } = decoded.event;
      if (ts < previous) outOfOrder++;
      previous = ts;
      newest = Math.max(newest, ts);
      oldest = Math.min(oldest, ts);
    }
    assert.ok(oldest >= BASE_TS - 5_000 && oldest < BASE_TS + 1_000, `oldest ${oldest - BASE_TS}`);
    assert.ok(newest > BASE_TS + 60 * 60_000 - 1_000 && newest <= BASE_TS + 60 * 60_000, `newest ${newest - BASE_TS}`);
    assert.ok(outOfOrder > records.length / 20, `only ${outOfOrder} out-of-order events`);
  });

  it('generates only the topics asked for', () => {
    const only = [...new RecordGenerator({ ...options, events: 2_000, topics: ['app.live'] })];
    assert.ok(only.every((r) => r.topic === 'app.live'));
  });
});
