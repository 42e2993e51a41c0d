import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deduplicator } from '../../src/stream/dedup/deduplicator.js';
import { PartitionDedup } from '../../src/stream/dedup/partition-dedup.js';

const MIN = 60_000;
const horizon = { horizonMs: 10 * MIN, lateMemoryMs: 5 * MIN, maxRememberedIds: 1_000 };

describe('PartitionDedup', () => {
  it('drops a re-delivery within the horizon, whatever the order of arrival', () => {
    const d = new PartitionDedup(horizon);
    assert.equal(d.admit('a', 100 * MIN), 'accepted');
    assert.equal(d.admit('b', 95 * MIN), 'accepted'); // out of order, still inside the horizon
    assert.equal(d.admit('a', 100 * MIN), 'duplicate');
    assert.equal(d.admit('b', 95 * MIN), 'duplicate');
    assert.deepEqual(d.counters, { accepted: 2, duplicates: 2, late: 0, lateDuplicates: 0, forcedEvictions: 0 });
  });

  it('the horizon is measured from the newest ts seen before the delivery, inclusive at its edge', () => {
    const d = new PartitionDedup(horizon);
    d.admit('x', 0);
    d.admit('newest', 10 * MIN);
    assert.equal(d.admit('x', 0), 'duplicate'); // 0 ≥ 10min − 10min
    d.admit('newer', 10 * MIN + 1);
    assert.equal(d.admit('x', 0), 'late'); // now older than the horizon: counts again
    assert.equal(d.counters.late, 1);
    assert.equal(d.counters.lateDuplicates, 1, 'x was still remembered, so it is a known late duplicate');
  });

  it('a fresh event older than the horizon is accepted as late, and not remembered', () => {
    const d = new PartitionDedup(horizon);
    d.admit('now', 60 * MIN);
    assert.equal(d.admit('old', 30 * MIN), 'late');
    assert.equal(d.admit('old', 30 * MIN), 'late');
    assert.equal(d.counters.lateDuplicates, 0, 'late ids are not remembered: the count is a lower bound');
  });

  it('counts late duplicates only while ids are kept, lateMemoryMs past the horizon', () => {
    const d = new PartitionDedup(horizon);
    d.admit('x', 0);
    d.admit('y', 15 * MIN);
    assert.equal(d.admit('x', 0), 'late');
    d.admit('z', 15 * MIN + 1);
    assert.equal(d.admit('x', 0), 'late');
    assert.equal(d.counters.lateDuplicates, 1);
  });

  it('forgets ids once they are older than horizon + lateMemoryMs (bounded memory)', () => {
    const d = new PartitionDedup(horizon);
    for (let i = 0; i < 100; i++) d.admit(`e${i}`, i * MIN);
    // newest = 99 min: ids with ts ≥ 99 − 10 − 5 = 84 min remain.
    assert.equal(d.rememberedIds, 16);
    assert.deepEqual(d.exportState().entries.map(([id]) => id), Array.from({ length: 16 }, (_, i) => `e${84 + i}`));
  });

  it('an id re-sent with a later ts after its first ts left the horizon counts again and is remembered anew', () => {
    const d = new PartitionDedup(horizon);
    d.admit('x', 0);
    d.admit('y', 11 * MIN); // x (ts 0) is outside the horizon but still kept for the late count
    assert.equal(d.rememberedIds, 2);
    assert.equal(d.admit('x', 5 * MIN), 'accepted');
    assert.equal(d.admit('x', 5 * MIN), 'duplicate');
  });

  it('forgets the oldest ids early at the hard cap and says so', () => {
    const d = new PartitionDedup({ ...horizon, maxRememberedIds: 3 });
    for (const id of ['a', 'b', 'c', 'd']) d.admit(id, 1);
    assert.equal(d.counters.forcedEvictions, 1);
    assert.equal(d.rememberedIds, 3);
    assert.equal(d.admit('a', 1), 'accepted', 'a was evicted by the cap, so its duplicate counts again');
    assert.equal(d.admit('d', 1), 'duplicate');
  });

  it('grows past its initial capacity without losing ids', () => {
    const d = new PartitionDedup({ ...horizon, maxRememberedIds: 100_000 });
    for (let i = 0; i < 5_000; i++) d.admit(`e${i}`, 1_000 + (i % 7)); // jittered ts, all within the horizon
    for (let i = 0; i < 5_000; i++) assert.equal(d.admit(`e${i}`, 1_000 + (i % 7)), 'duplicate');
    assert.equal(d.counters.accepted, 5_000);
  });

  it('exported state rebuilds the same verdicts', () => {
    const d = new PartitionDedup(horizon);
    for (let i = 0; i < 50; i++) d.admit(`e${i}`, i * 30_000);
    const restored = PartitionDedup.fromState(d.exportState(), horizon);
    for (let i = 0; i < 50; i++) {
      const ts = i * 30_000;
      assert.equal(restored.admit(`e${i}`, ts), d.admit(`e${i}`, ts), `e${i}`);
    }
  });
});

describe('Deduplicator', () => {
  it('keeps topics and partitions apart and sums their counters', () => {
    const dedup = new Deduplicator(horizon);
    assert.equal(dedup.partition('app.ads', 0).admit('e', 1), 'accepted');
    assert.equal(dedup.partition('app.ads', 1).admit('e', 1), 'accepted');
    assert.equal(dedup.partition('app.live', 0).admit('e', 1), 'accepted');
    assert.equal(dedup.partition('app.ads', 0).admit('e', 1), 'duplicate');
    assert.deepEqual(dedup.totals(), { accepted: 3, duplicates: 1, late: 0, lateDuplicates: 0, forcedEvictions: 0 });
  });
});
