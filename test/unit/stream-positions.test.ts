import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplayTracker } from '../../src/stream/job/replay-tracker.js';
import { GENERATOR_SOURCE, kafkaSource, offsetsKey, positionProperties, positionsOf, replayKey, sourceKey, sourceOf } from '../../src/stream/job/source-positions.js';

test('positions round-trip through a snapshot summary and overlay the parent per partition', () => {
  const parent = positionsOf({ operation: 'append', [offsetsKey('t')]: '{"0":10,"1":20}', [replayKey('t')]: '{"0":5,"1":15}' }, 't');
  assert.deepEqual([...parent.offsets], [[0, 10], [1, 20]]);
  const props = positionProperties(parent, 't', { offsets: new Map([[1, 30], [2, 7]]), replay: new Map([[1, 25], [2, 0]]) });
  assert.deepEqual(props, { [offsetsKey('t')]: '{"0":10,"1":30,"2":7}', [replayKey('t')]: '{"0":5,"1":25,"2":0}' });
  assert.equal(positionsOf({}, 't').offsets.size, 0);
  assert.equal(positionsOf({ operation: 'append', [offsetsKey('other')]: '{"0":1}' }, 't').offsets.size, 0);
});

test('a writer that knows its log records it beside the offsets; one that does not leaves the key alone', () => {
  const mine = { offsets: new Map([[0, 3]]), replay: new Map([[0, 0]]) };
  const parent = positionsOf({}, 't');
  const fromKafka = positionProperties(parent, 't', mine, kafkaSource('abc'));
  assert.equal(fromKafka[sourceKey('t')], 'kafka:abc');
  assert.equal(sourceOf({ operation: 'append', ...fromKafka }, 't'), 'kafka:abc');
  assert.equal(positionProperties(parent, 't', mine, GENERATOR_SOURCE)[sourceKey('t')], 'generator');
  assert.equal(sourceKey('t') in positionProperties(parent, 't', mine), false);
  assert.equal(sourceOf({ operation: 'append' }, 't'), undefined);
});

test('corrupt positions are reported, not guessed', () => {
  assert.throws(() => positionsOf({ operation: 'append', [offsetsKey('t')]: 'nope' }, 't'), /is not JSON/);
  assert.throws(() => positionsOf({ operation: 'append', [offsetsKey('t')]: '{"0":-1}' }, 't'), /bad entry/);
});

test('replay starts at the latest checkpoint before which every record is beyond the horizon', () => {
  const horizon = 1_000;
  const tracker = new ReplayTracker(100, horizon, 10);
  // Offsets 100..199 with ts rising 0..990; a late (out-of-order) record at offset 150 with ts 0.
  for (let offset = 100; offset < 200; offset++) tracker.observe(offset, offset === 150 ? 0 : (offset - 100) * 10);
  // newest = 990: nothing is beyond the horizon yet.
  assert.equal(tracker.replayFrom(), 100);
  for (let offset = 200; offset < 300; offset++) tracker.observe(offset, (offset - 100) * 10);
  // newest = 1990 → horizon start 990. Checkpoints fall on every 10th record (109, 119, …); records
  // before 199 have ts ≤ 980 < 990, the record at 199 itself has ts 990 and must be replayed.
  const from = tracker.replayFrom();
  assert.equal(from, 199);
  // Never moves backwards.
  assert.equal(tracker.replayFrom(), from);
});
