/**
 * The hook live push hangs on the Kafka tail (src/query/hot/edge-change-feed.ts): a watcher
 * hears once per batch that edges out of one of its sources arrived, only of rows it has
 * not seen, only for its node type, and nothing once it stops watching.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EDGE_TYPE_CODE, type EdgeType } from '../../src/graph/model.js';
import { EdgeChangeFeed, type SourceWatcher } from '../../src/query/hot/edge-change-feed.js';
import { HotEdgeRows } from '../../src/query/hot/hot-rows.js';

function addEdge(rows: HotEdgeRows, type: EdgeType, srcId: string, dstId: string): void {
  const i = rows.push();
  rows.type[i] = EDGE_TYPE_CODE[type];
  rows.srcId[i] = srcId;
  rows.dstId[i] = dstId;
}

function counting(): SourceWatcher & { calls: number } {
  const watcher = { calls: 0, changed: () => watcher.calls++ };
  return watcher;
}

test('a watcher hears once per batch of the new rows out of its sources, of its node type only', () => {
  const feed = new EdgeChangeFeed();
  const account = counting();
  const other = counting();
  feed.watch('account', 'a-1', account);
  feed.watch('profile', 'p-1', account);
  feed.watch('account', 'a-2', other);

  const rows = new HotEdgeRows();
  addEdge(rows, 'has_profile', 'a-1', 'p-1');
  addEdge(rows, 'watched', 'p-1', 't-1');
  addEdge(rows, 'watched', 'a-2', 't-1'); // a profile named like account a-2: not the account's edge
  feed.scan(rows);
  assert.equal(account.calls, 1, 'two rows of its sources, one batch: one call');
  assert.equal(other.calls, 0);

  // The buffer grows until the session takes it: only the rows after the last scan count.
  addEdge(rows, 'logged_in_from', 'a-2', 'd-1');
  feed.scan(rows);
  assert.deepEqual([account.calls, other.calls], [1, 1]);

  // A taken buffer is replaced by a new one, scanned from its start.
  const next = new HotEdgeRows();
  addEdge(next, 'watched', 'p-1', 't-2');
  feed.scan(next);
  assert.deepEqual([account.calls, other.calls], [2, 1]);
  assert.equal(feed.batches, 3);

  feed.swapped();
  assert.deepEqual([account.calls, other.calls], [3, 2], 'a swap makes every watcher look');

  feed.forget(account, [['account', 'a-1'], ['profile', 'p-1']]);
  addEdge(next, 'watched', 'p-1', 't-3');
  feed.scan(next);
  feed.swapped();
  assert.deepEqual([account.calls, other.calls], [3, 3], 'nothing for a watcher that stopped watching');
});
