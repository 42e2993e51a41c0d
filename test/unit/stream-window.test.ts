import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_TYPES, NODE_TYPES } from '../../src/graph/model.js';
import { GraphWindow } from '../../src/stream/window/graph-window.js';
import { RejectedBuffer } from '../../src/stream/window/rejected-buffer.js';

function edgeRowsOf(window: GraphWindow): string[] {
  const r = window.edgeRows();
  return Array.from({ length: r.length }, (_, i) =>
    `${EDGE_TYPES[r.edgeType[i]!]} ${r.ids[r.srcId[i]!]}→${r.ids[r.dstId[i]!]} ${r.topics[r.sourceTopic[i]!]} [${r.firstSeen[i]},${r.lastSeen[i]}]×${r.eventCount[i]}`,
  ).sort();
}

describe('GraphWindow', () => {
  it('merges edge observations per key and source topic: min first, max last, count', () => {
    const window = new GraphWindow();
    const playback = window.sinkFor('app.playback');
    const live = window.sinkFor('app.live');
    playback.edge('watched', 'p1', 't1', 50);
    playback.edge('watched', 'p1', 't1', 20);
    playback.edge('watched', 'p1', 't1', 90);
    playback.edge('watched', 'p1', 't2', 30);
    playback.edge('has_profile', 'a1', 'p1', 30);
    live.edge('has_profile', 'a1', 'p1', 10);
    assert.deepEqual(edgeRowsOf(window), [
      'has_profile a1→p1 app.live [10,10]×1',
      'has_profile a1→p1 app.playback [30,30]×1',
      'watched p1→t1 app.playback [20,90]×3',
      'watched p1→t2 app.playback [30,30]×1',
    ]);
  });

  it('keeps node props of the latest-ts observation that carried a device, whatever the arrival order', () => {
    const window = new GraphWindow();
    const sink = window.sinkFor('app.session');
    sink.node('device', 'd', 200, { os: 'ios', app_version: '2' });
    sink.node('device', 'd', 100, { os: 'ios', app_version: '1' });
    sink.node('device', 'd', 300, null);
    sink.node('account', 'a', 300, null);
    const r = window.nodeRows();
    const d = r.ids.indexOf('d');
    const row = Array.from(r.nodeId).indexOf(d);
    assert.equal(NODE_TYPES[r.nodeType[row]!], 'device');
    assert.deepEqual([r.firstSeen[row], r.lastSeen[row], r.eventCount[row]], [100, 300, 3]);
    assert.deepEqual(r.device[row], { os: 'ios', app_version: '2' });
    assert.equal(r.deviceTs[row], 200);
    const account = Array.from(r.nodeId).indexOf(r.ids.indexOf('a'));
    assert.equal(r.device[account], null);
  });

  it('grows its columns and hash index past the initial capacity, and starts empty after clear', () => {
    const window = new GraphWindow();
    const sink = window.sinkFor('app.playback');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20_000; i++) sink.edge('watched', `p${i % 500}`, `t${i}`, i);
    }
    assert.equal(window.edgeRowCount, 20_000);
    const r = window.edgeRows();
    assert.ok(Array.from(r.eventCount).every((count) => count === 2));
    const t19999 = Array.from(r.dstId).indexOf(r.ids.indexOf('t19999'));
    assert.equal(r.ids[r.srcId[t19999]!], 'p499');
    window.clear();
    assert.equal(window.edgeRowCount, 0);
    sink.edge('watched', 'p', 't', 7);
    assert.deepEqual(edgeRowsOf(window), ['watched p→t app.playback [7,7]×1']);
  });
});

describe('RejectedBuffer', () => {
  it('keeps the raw record, a null value as empty payload, and counts the bytes held', () => {
    const buffer = new RejectedBuffer();
    const key = Uint8Array.of(97);
    buffer.add({ topic: 'app.ads', partition: 2, offset: 41, key, value: Uint8Array.of(1, 2, 3), timestamp: 0 }, 'not_json: x', 1000);
    buffer.add({ topic: 'app.ads', partition: 2, offset: 42, key: null, value: null, timestamp: 0 }, 'not_json: null value (tombstone)', 1001);
    assert.equal(buffer.size, 2);
    assert.equal(buffer.bytes, 4);
    assert.deepEqual(buffer.records[0], { topic: 'app.ads', partition: 2, offset: 41, key, payload: Uint8Array.of(1, 2, 3), reason: 'not_json: x', rejectedAt: 1000 });
    assert.equal(buffer.records[1]!.payload.byteLength, 0);
    buffer.clear();
    assert.equal(buffer.size + buffer.bytes, 0);
  });
});
