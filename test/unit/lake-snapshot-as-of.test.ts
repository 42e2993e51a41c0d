import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snapshotAsOf } from '../../src/lake/scan/snapshot-as-of.js';
import type { Snapshot } from '../../src/lake/spec/snapshot.js';
import type { TableMetadata } from '../../src/lake/spec/table-metadata.js';

const snapshot = (id: number, at: number, parent?: number): Snapshot =>
  ({ 'snapshot-id': BigInt(id), 'timestamp-ms': at, 'manifest-list': `m${id}`, summary: { operation: 'append' }, ...(parent !== undefined && { 'parent-snapshot-id': BigInt(parent) }) }) as unknown as Snapshot;

function tableOf(snapshots: Snapshot[], log: Array<[id: number, at: number]>): TableMetadata {
  return {
    snapshots,
    'snapshot-log': log.map(([id, at]) => ({ 'snapshot-id': BigInt(id), 'timestamp-ms': at })),
    refs: { main: { 'snapshot-id': snapshots.at(-1)!['snapshot-id'], type: 'branch' } },
    'current-snapshot-id': snapshots.at(-1)!['snapshot-id'],
  } as unknown as TableMetadata;
}

test('the newest snapshot main pointed at, at or before the moment', () => {
  const table = tableOf([snapshot(1, 100), snapshot(2, 200, 1), snapshot(3, 300, 2)], [[1, 100], [2, 200], [3, 300]]);
  const idAt = (t: number) => {
    const found = snapshotAsOf(table, t);
    assert.ok(found.held);
    const id = found.snapshot?.['snapshot-id'];
    return id === undefined ? undefined : Number(id);
  };
  assert.equal(idAt(99), undefined, 'before the first snapshot the table was empty');
  assert.equal(idAt(100), 1);
  assert.equal(idAt(250), 2);
  assert.equal(idAt(10_000), 3);
});

test('before the oldest snapshot left, when older ones expired: not held, naming the oldest', () => {
  const table = tableOf([snapshot(2, 200, 1), snapshot(3, 300, 2)], [[2, 200], [3, 300]]);
  const found = snapshotAsOf(table, 150);
  assert.equal(found.held, false);
  assert.equal(!found.held && found.oldest['snapshot-id'], 2n);
});

test('a rollback in the log: the moment follows main, not commit order', () => {
  const table = tableOf([snapshot(1, 100), snapshot(2, 200, 1)], [[1, 100], [2, 200], [1, 300]]);
  const found = snapshotAsOf(table, 350);
  assert.ok(found.held && found.snapshot?.['snapshot-id'] === 1n);
});
