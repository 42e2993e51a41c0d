/** The edge index's pure parts: grouping rows by node, and interning nodes per type. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adjacency } from '../../src/query/index/adjacency.js';
import { NODE_TYPE_CODE } from '../../src/graph/model.js';
import { AS_DESTINATION, AS_SOURCE, NodeDictionary } from '../../src/query/index/node-dictionary.js';
import { Prng } from '../../src/stream/generator/prng.js';

function rowsOf(adjacency: Adjacency, node: number): number[] {
  const rows: number[] = [];
  adjacency.forEachRow(node, (row) => rows.push(row));
  return rows;
}

test('Adjacency finds exactly the rows of each node, in row order', () => {
  const prng = new Prng(3);
  for (const [rows, nodes] of [[0, 1], [1, 1], [1000, 7], [20_000, 5_000]] as const) {
    const column = Int32Array.from({ length: rows }, () => Math.floor(prng.next() * nodes) * 3);
    const adjacency = Adjacency.of(column);
    const expected = new Map<number, number[]>();
    column.forEach((node, row) => expected.set(node, [...(expected.get(node) ?? []), row]));
    for (let node = -1; node <= nodes * 3 + 1; node++) assert.deepEqual(rowsOf(adjacency, node), expected.get(node) ?? [], `node ${node} of ${rows} rows`);
  }
});

test('NodeDictionary: one int per (type, id), the same id under two types is two nodes', () => {
  const nodes = new NodeDictionary();
  const profile = nodes.intern(NODE_TYPE_CODE.profile, 'x-1');
  const device = nodes.intern(NODE_TYPE_CODE.device, 'x-1');
  assert.notEqual(profile, device);
  assert.equal(nodes.intern(NODE_TYPE_CODE.profile, 'x-1'), profile);
  assert.equal(nodes.find('profile', 'x-1'), profile);
  assert.equal(nodes.find('account', 'x-1'), undefined);
  assert.deepEqual([nodes.find('device', 'x-1'), nodes.idOf(device), nodes.size], [device, 'x-1', 2]);
  nodes.seenAs(profile, AS_SOURCE);
  const far = nodes.intern(NODE_TYPE_CODE.title, 't-9');
  for (let i = 0; i < 5000; i++) nodes.intern(NODE_TYPE_CODE.title, `t-${i + 10}`);
  nodes.seenAs(nodes.size - 1, AS_DESTINATION);
  assert.deepEqual(
    [nodes.wasSeenAs(profile, AS_SOURCE), nodes.wasSeenAs(profile, AS_DESTINATION), nodes.wasSeenAs(device, AS_SOURCE), nodes.wasSeenAs(far, AS_DESTINATION), nodes.wasSeenAs(nodes.size - 1, AS_DESTINATION)],
    [true, false, false, false, true],
  );
});
