/**
 * Issue 5: kill -9 of `lakegraph compact` at each of its commit points leaves the table
 * intact and readable by PyIceberg with unchanged aggregates; the next run takes over the
 * dead run's lock and carries on. The runs follow one another on one warehouse, each
 * killed at the next point, so each also proves that a run picks up after the previous
 * crash; the last one finishes the work and leaves no orphan behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MaintenancePoint } from '../../src/maintenance/maintenance-run.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { oracle } from '../support/oracle.js';
import { allRecords, generatorOptions, ingestEmbedded, liveFiles } from './compact-fixtures.js';
import { runCli } from '../support/cli-process.js';

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const MAINTAIN = ['--expire-older-than', '0s', '--keep-snapshots', '1', '--orphan-older-than', '0s'];

/**
 * In this order each run reaches its point on graph.edges: the first leaves written but
 * uncommitted files; a target below every file's size skips the rewrite, so the many
 * small manifests are rewritten; then the rewrite commits; then, edges compacted, the
 * expiry commits (its files not yet deleted); then the orphans of the first and the
 * fourth run are being removed.
 */
const KILLS: ReadonlyArray<readonly [MaintenancePoint, readonly string[]]> = [
  ['rewrite-files-written', []],
  ['manifests-committed', ['--target-file-mb', '0.0001']],
  ['rewrite-committed', []],
  ['expiry-committed', []],
  ['orphan-deleted', []],
];

test('kill -9 at every commit point in turn: table intact after each, the next run takes over, the last finishes', { timeout: 150_000 }, async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-crash-'));
  try {
    const options = generatorOptions(1_500);
    await ingestEmbedded(warehouse, options);
    const expected = oracle(allRecords(options));
    const filesBefore = (await liveFiles(warehouse, 'edges')).length;

    for (const [i, [point, flags]] of KILLS.entries()) {
      const killed = await runCli(['compact', '--warehouse', warehouse, ...MAINTAIN, ...flags], { LAKEGRAPH_TEST_KILL_AT: point });
      assert.equal(killed.signal, 'SIGKILL', `the run reached ${point} and died there: ${killed.stderr}`);
      if (i > 0) assert.match(killed.stderr, /took over .* from a run that died/, `the run killed at ${point} took over the lock`);
      assert.ok((await filesUnder(warehouse)).some((f) => f.endsWith('.compact.lock')), 'the dead run left its lock');
      assertGraphEqualsOracle((await readGraphAggregates([warehouse])).pyiceberg, expected, `pyiceberg after kill at ${point}`);
    }

    const last = await runCli(['compact', '--warehouse', warehouse, ...MAINTAIN]);
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stderr, /took over .* from a run that died/);
    const readers = await readGraphAggregates([warehouse]);
    assertGraphEqualsOracle(readers.pyiceberg, expected, 'pyiceberg after the last run');
    assertGraphEqualsOracle(readers.duckdb, expected, 'duckdb after the last run');
    for (const table of ['edges', 'nodes'] as const) {
      const files = await liveFiles(warehouse, table);
      if (table === 'edges') assert.ok(files.length * 10 <= filesBefore, `compacted: ${filesBefore} → ${files.length}`);
      // Nothing left over: every data file on disk is live.
      const live = new Set(files.map((f) => f.filePath));
      const onDisk = (await filesUnder(join(warehouse, 'graph', table, 'data'))).filter((f) => f.endsWith('.parquet'));
      assert.deepEqual(onDisk.filter((f) => !live.has(f)), [], `no orphan ${table} data file remains`);
    }
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
