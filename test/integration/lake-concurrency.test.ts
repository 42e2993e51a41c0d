/**
 * Optimistic concurrency on the filesystem catalog with real processes: writers append
 * many commits each to one table at once, in a local directory and in object storage
 * that honours conditional PUTs (the test's own moto). Exactly one commit wins each
 * version: every commit lands once (one linear chain of snapshots), no row is lost, and
 * each writer's carried counter survives every rebase.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, it, type TestContext } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { fileIOFor } from '../../src/lake/io/file-io-for.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { listSnapshots } from '../../src/lake/scan/inspect.js';
import { Table } from '../../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { concurrentBatch, writerCommitsKey } from './lake-concurrent-batches.js';
import { aggregatesOf, type EdgeAggregates } from './lake-edge-rows.js';
import { startMoto, type MotoStore } from '../support/moto-server.js';
import { runPython } from '../support/services.js';

const directory = await mkdtemp(join(tmpdir(), 'lake-concurrency-'));
after(() => rm(directory, { recursive: true, force: true }));

/** `writers` processes append `commits` batches each to graph.edges in `warehouse`, in a directory or `store`. */
async function appendConcurrently(t: TestContext, warehouse: string, writers: number, commits: number, store?: MotoStore): Promise<void> {
  const id = { namespace: ['graph'], name: 'edges' };
  const env = store?.env ?? {};
  const catalog = () => new FilesystemCatalog(warehouse, fileIOFor(warehouse, store?.properties));
  // Created up front so the writers race on commits, not on creation.
  await Table.ensure(catalog(), id, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
  const writer = fileURLToPath(new URL('./lake-concurrent-writer.js', import.meta.url));
  await Promise.all(
    Array.from({ length: writers }, (_, w) =>
      promisify(execFile)(process.execPath, [writer, warehouse, String(w), String(commits)], { env: { ...process.env, ...env } }),
    ),
  );

  const table = await Table.load(catalog(), id);
  const snapshots = listSnapshots(table.metadata);
  assert.equal(snapshots.length, writers * commits);
  snapshots.forEach((s, i) => {
    assert.equal(s.sequenceNumber, i + 1);
    assert.equal(s.parentSnapshotId, i === 0 ? undefined : snapshots[i - 1].snapshotId, 'one linear chain');
  });
  // Manifest lists are named snap-<id>-<attempt>-<uuid>.avro: attempt > 1 means the commit was rebased.
  const rebased = table.metadata.snapshots.filter((s) => !/\/snap-\d+-1-[^/]+\.avro$/.test(s['manifest-list'])).length;
  t.diagnostic(`${rebased} of ${snapshots.length} commits landed after a rebase`);
  assert.ok(rebased > 0, 'the writers actually contended');
  const current = snapshots[snapshots.length - 1].summary;
  for (let w = 0; w < writers; w++) assert.equal(current[writerCommitsKey(w)], String(commits), `writer ${w}'s counter`);

  const expected = aggregatesOf(
    Array.from({ length: writers * commits }, (_, i) => concurrentBatch(Math.floor(i / commits), i % commits)),
  );
  assert.equal(current['total-records'], String(expected.rows));
  const plan = await planFiles(table.io, table.metadata);
  assert.equal(plan.files.reduce((n, f) => n + f.recordCount, 0n), BigInt(expected.rows));

  const report = await runPython<{ pyiceberg: EdgeAggregates & { snapshots: number } }>(
    { script: 'test/integration/lake_readers.py' },
    [`${warehouse}/graph/edges`, 'p-0-0'],
    env,
  );
  assert.equal(report.pyiceberg.snapshots, writers * commits);
  assert.equal(report.pyiceberg.rows, expected.rows);
  assert.equal(report.pyiceberg.eventCount, expected.eventCount);
  assert.equal(report.pyiceberg.distinctSrc, expected.distinctSrc);
}

it('4 processes × 50 appends to one table in a directory: all land, nothing lost', { timeout: 600_000 }, (t) =>
  appendConcurrently(t, directory, 4, 50));

it('3 processes × 15 appends to one table in object storage with conditional PUTs: all land, nothing lost', { timeout: 600_000 }, async (t) => {
  const moto = await startMoto();
  await appendConcurrently(t, `s3://${moto.bucket}/concurrency`, 3, 15, moto);
});
