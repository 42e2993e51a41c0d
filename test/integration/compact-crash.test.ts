/**
 * Issue 5: kill -9 of `lakegraph compact` at each of its commit points leaves the table
 * intact and readable by PyIceberg with unchanged aggregates; the next run takes over
 * the dead run's lock and finishes the work, leaving no orphan behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MaintenancePoint } from '../../src/maintenance/maintenance-run.js';
import { oracle } from '../support/oracle.js';
import { allRecords, assertOracleEquality, generatorOptions, ingestEmbedded, liveFiles, readerAggregates, runCli } from './compact-fixtures.js';

const options = generatorOptions(1_500);
const root = await mkdtemp(join(tmpdir(), 'compact-crash-'));
after(() => rm(root, { recursive: true, force: true }));

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Each point, with the flags that make a run reach it. */
const POINTS: Array<[MaintenancePoint, string[]]> = [
  ['rewrite-files-written', []],
  ['rewrite-committed', []],
  // A target below every file's size leaves the files alone, so the many small manifests remain to be rewritten.
  ['manifests-committed', ['--target-file-mb', '0.0001']],
  ['expiry-committed', []],
  ['orphan-deleted', []],
];
const MAINTAIN = ['--expire-older-than', '0s', '--keep-snapshots', '1', '--orphan-older-than', '0s'];

for (const [point, flags] of POINTS) {
  test(`kill -9 at ${point}: table intact, next run finishes`, { timeout: 120_000 }, async () => {
    // A fresh ingest each time: metadata holds absolute paths, so a copied warehouse would still point at the original.
    const warehouse = join(root, point);
    await ingestEmbedded(warehouse, options);
    const filesBefore = (await liveFiles(warehouse, 'edges')).length;
    if (point === 'orphan-deleted') {
      // An interrupted earlier run's files: the orphans this run will be killed while removing.
      const crashed = await runCli(['compact', '--warehouse', warehouse], { LAKEGRAPH_TEST_KILL_AT: 'rewrite-files-written' });
      assert.equal(crashed.signal, 'SIGKILL');
    }
    const killed = await runCli(['compact', '--warehouse', warehouse, ...MAINTAIN, ...flags], { LAKEGRAPH_TEST_KILL_AT: point });
    assert.equal(killed.signal, 'SIGKILL', `the run reached ${point} and died there: ${killed.stderr}`);
    assert.ok((await filesUnder(warehouse)).some((f) => f.endsWith('.compact.lock')), 'the dead run left its lock');

    const expected = oracle(allRecords(options));
    assertOracleEquality((await readerAggregates(warehouse)).pyiceberg, expected, `after kill at ${point}`);

    const next = await runCli(['compact', '--warehouse', warehouse, ...MAINTAIN]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /took over .* from a run that died/);
    const readers = await readerAggregates(warehouse);
    assertOracleEquality(readers.pyiceberg, expected, `pyiceberg after the next run (${point})`);
    assertOracleEquality(readers.duckdb, expected, `duckdb after the next run (${point})`);
    const files = await liveFiles(warehouse, 'edges');
    assert.ok(files.length * 10 <= filesBefore, `compacted: ${filesBefore} → ${files.length}`);
    // Nothing left over: every data file on disk is live.
    const live = new Set(files.map((f) => f.filePath));
    const onDisk = (await filesUnder(join(warehouse, 'graph/edges/data'))).filter((f) => f.endsWith('.parquet'));
    assert.deepEqual(onDisk.filter((f) => !live.has(f)), [], 'no orphan data file remains');
  });
}
