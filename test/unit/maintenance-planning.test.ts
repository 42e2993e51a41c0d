import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { serializeSingleValue } from '../../src/lake/spec/single-value.js';
import type { TableMetadata } from '../../src/lake/spec/table-metadata.js';
import { EDGES_SCHEMA } from '../../src/lake/tables.js';
import { planBins } from '../../src/maintenance/bin-pack.js';
import { retentionOf } from '../../src/maintenance/retention.js';
import { acquireRunLock, RunLockHeldError } from '../../src/maintenance/run-lock.js';
import { cronSchedule, intervalSchedule } from '../../src/maintenance/schedule.js';
import { snapshotsToExpire } from '../../src/maintenance/snapshot-retention.js';

const LAST_SEEN = 7;

function file(name: string, bytes: number, partition: number[], lastSeen: [bigint, bigint] = [0n, 0n]): DataFile {
  return {
    content: 0, filePath: name, fileFormat: 'PARQUET', specId: 0, partition, recordCount: 1n, fileSizeInBytes: BigInt(bytes),
    metrics: {
      columnSizes: new Map(), valueCounts: new Map(), nullValueCounts: new Map(),
      lowerBounds: new Map([[LAST_SEEN, serializeSingleValue('timestamptz', lastSeen[0])]]),
      upperBounds: new Map([[LAST_SEEN, serializeSingleValue('timestamptz', lastSeen[1])]]),
    },
  };
}

describe('planBins', () => {
  it('packs small files per partition up to the target, never across partitions', () => {
    const files = [file('a', 40, [1, 0]), file('b', 30, [1, 0]), file('c', 50, [1, 0]), file('d', 10, [1, 1]), file('e', 10, [1, 1])];
    const bins = planBins(files, { targetFileBytes: 100 });
    assert.deepEqual(bins.map((b) => b.files.map((f) => f.filePath).sort()), [['a', 'c'], ['d', 'e']]);
  });
  it('leaves files near the target and lone small files alone', () => {
    assert.deepEqual(planBins([file('big', 80, [0]), file('small', 10, [0]), file('other', 10, [1])], { targetFileBytes: 100 }), []);
  });
  it('rewrites a lone file that must be rewritten', () => {
    assert.equal(planBins([file('ttl', 90, [0])], { targetFileBytes: 100 }, () => true).length, 1);
  });
});

describe('retentionOf', () => {
  const verdict = retentionOf(EDGES_SCHEMA, 'edges', 100n);
  it('classifies files by their last_seen bounds', () => {
    assert.equal(verdict(file('old', 1, [0], [10n, 99n])), 'expired');
    assert.equal(verdict(file('mixed', 1, [0], [10n, 100n])), 'partly-expired');
    assert.equal(verdict(file('new', 1, [0], [100n, 200n])), 'retained');
  });
});

describe('snapshotsToExpire', () => {
  /** Snapshot `id` (parent `id − 1`), committed by lakegraph unless `foreign`. */
  const snapshot = (id: number, ts: number, foreign = false) => ({
    'snapshot-id': BigInt(id),
    'parent-snapshot-id': id > 1 ? BigInt(id - 1) : undefined,
    'sequence-number': id,
    'timestamp-ms': ts,
    'manifest-list': '',
    summary: { operation: 'append' as const, ...(foreign ? {} : { 'lakegraph.offsets.t': `{"0":${id}}` }) },
    'schema-id': 0,
  });
  const metadata = { snapshots: [1, 2, 3, 4, 5].map((id) => snapshot(id, id * 1000)), refs: { main: { 'snapshot-id': 5n, type: 'branch' }, audit: { 'snapshot-id': 1n, type: 'tag' } } } as unknown as TableMetadata;
  it('expires old snapshots beyond the newest N, never a referenced one', () => {
    assert.deepEqual(snapshotsToExpire(metadata, { olderThanMs: 0, keepLast: 2 }, 10_000).map((s) => s['snapshot-id']), [3n, 2n]);
    assert.deepEqual(snapshotsToExpire(metadata, { olderThanMs: 7_500, keepLast: 1 }, 10_000).map((s) => s['snapshot-id']), [2n]);
  });
  it('always keeps the current snapshot', () => {
    assert.ok(!snapshotsToExpire(metadata, { olderThanMs: 0, keepLast: 0 }, 10_000).some((s) => s['snapshot-id'] === 5n));
  });
  it("keeps the current snapshot's ancestry back to the one with lakegraph's offsets when other engines committed after it", () => {
    const foreignOnTop = { ...metadata, snapshots: [1, 2, 3, 4, 5].map((id) => snapshot(id, id * 1000, id >= 4)) } as TableMetadata;
    assert.deepEqual(snapshotsToExpire(foreignOnTop, { olderThanMs: 0, keepLast: 1 }, 10_000).map((s) => s['snapshot-id']), [2n]);
  });
});

describe('schedules', () => {
  it('intervals count from the previous start; cron follows the expression', () => {
    assert.equal(intervalSchedule(60_000, 'every 1m').nextAfter(new Date(0)).getTime(), 60_000);
    assert.equal(cronSchedule('0 * * * *').nextAfter(new Date('2026-01-01T10:15:00Z')).toISOString(), '2026-01-01T11:00:00.000Z');
    assert.throws(() => cronSchedule('not cron'));
  });
});

describe('acquireRunLock', () => {
  it('refuses a live holder, takes over a dead one, releases only its own lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-lock-'));
    try {
      const path = join(dir, 'compact.lock');
      const lock = await acquireRunLock(path);
      await assert.rejects(acquireRunLock(path), (e: unknown) => e instanceof RunLockHeldError && e.owner.pid === process.pid);
      await lock.release();
      const { hostname } = await import('node:os');
      await writeFile(path, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'then' }));
      const takeover = await acquireRunLock(path);
      assert.equal(takeover.tookOverStale, true);
      assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
      await takeover.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
