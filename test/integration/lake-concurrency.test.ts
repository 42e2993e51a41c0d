/**
 * Optimistic concurrency on the filesystem catalog with real processes: 4 writers append
 * 50 commits each to one table at once. Every commit must land exactly once (200
 * snapshots in one linear chain), no row may be lost, and each writer's carried counter
 * must survive every rebase.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { listSnapshots } from '../../src/lake/scan/inspect.js';
import { Table } from '../../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { concurrentBatch, writerCommitsKey } from './lake-concurrent-batches.js';
import { aggregatesOf, type EdgeAggregates } from './lake-edge-rows.js';
import { runPython } from '../support/services.js';

const WRITERS = 4;
const COMMITS = 50;
const warehouse = await mkdtemp(join(tmpdir(), 'lake-concurrency-'));
after(() => rm(warehouse, { recursive: true, force: true }));

it(`${WRITERS} processes × ${COMMITS} appends to one table: all land, nothing lost`, { timeout: 600_000 }, async (t) => {
  const id = { namespace: ['graph'], name: 'edges' };
  // Created up front so the writers race on commits, not on creation.
  await Table.ensure(new FilesystemCatalog(warehouse), id, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
  const writer = fileURLToPath(new URL('./lake-concurrent-writer.js', import.meta.url));
  await Promise.all(
    Array.from({ length: WRITERS }, (_, w) => promisify(execFile)(process.execPath, [writer, warehouse, String(w), String(COMMITS)])),
  );

  const table = await Table.load(new FilesystemCatalog(warehouse), id);
  const snapshots = listSnapshots(table.metadata);
  assert.equal(snapshots.length, WRITERS * COMMITS);
  snapshots.forEach((s, i) => {
    assert.equal(s.sequenceNumber, i + 1);
    assert.equal(s.parentSnapshotId, i === 0 ? undefined : snapshots[i - 1].snapshotId, 'one linear chain');
  });
  // Manifest lists are named snap-<id>-<attempt>-<uuid>.avro: attempt > 1 means the commit was rebased.
  const rebased = table.metadata.snapshots.filter((s) => !/\/snap-\d+-1-[^/]+\.avro$/.test(s['manifest-list'])).length;
  t.diagnostic(`${rebased} of ${snapshots.length} commits landed after a rebase`);
  assert.ok(rebased > 0, 'the writers actually contended');
  const current = snapshots[snapshots.length - 1].summary;
  for (let w = 0; w < WRITERS; w++) assert.equal(current[writerCommitsKey(w)], String(COMMITS), `writer ${w}'s counter`);

  const expected = aggregatesOf(
    Array.from({ length: WRITERS * COMMITS }, (_, i) => concurrentBatch(Math.floor(i / COMMITS), i % COMMITS)),
  );
  assert.equal(current['total-records'], String(expected.rows));
  const plan = await planFiles(table.io, table.metadata);
  assert.equal(plan.files.reduce((n, f) => n + f.recordCount, 0n), BigInt(expected.rows));

  const report = await runPython<{ pyiceberg: EdgeAggregates & { snapshots: number } }>({ script: 'test/integration/lake_readers.py' }, [
    join(warehouse, 'graph/edges'),
    'p-0-0',
  ]);
  assert.equal(report.pyiceberg.snapshots, WRITERS * COMMITS);
  assert.equal(report.pyiceberg.rows, expected.rows);
  assert.equal(report.pyiceberg.eventCount, expected.eventCount);
  assert.equal(report.pyiceberg.distinctSrc, expected.distinctSrc);
});
