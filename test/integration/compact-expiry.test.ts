/**
 * Issue 5: snapshot expiry + orphan cleanup keep the offsets chain and every referenced
 * file: ingest stopped half-way restarts from the current snapshot's offsets after
 * maintenance and the result equals the oracle; an old orphan goes, a young one stays.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { reachableFiles } from '../../src/lake/scan/reachable-files.js';
import { TABLE_NAMES } from '../../src/lake/tables.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { oracle } from '../support/oracle.js';
import { allRecords, carriedSummary, generatorOptions, ingestEmbedded, loadMetadata } from './compact-fixtures.js';
import { runCli } from '../support/cli-process.js';

const exists = (path: string) => access(path).then(() => true, () => false);

test('expiry and orphan cleanup: ingest resumes from the right offsets, no referenced file deleted', { timeout: 180_000 }, async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-expiry-'));
  try {
    const options = generatorOptions(2_000);
    await ingestEmbedded(warehouse, options, 1_000);
    const offsetsBefore = await Promise.all(TABLE_NAMES.map((name) => carriedSummary(warehouse, name)));
    const dataDir = join(warehouse, 'graph/edges/data');
    const oldOrphan = join(dataDir, 'crashed-writer.parquet');
    const youngOrphan = join(dataDir, 'in-flight-writer.parquet');
    await writeFile(oldOrphan, 'left by a writer that died before committing');
    await writeFile(youngOrphan, 'a running writer is about to commit this');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(oldOrphan, twoHoursAgo, twoHoursAgo);

    const run = await runCli(['compact', '--warehouse', warehouse, '--expire-older-than', '0s', '--keep-snapshots', '2', '--orphan-older-than', '1h', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { tables: Array<{ expiry: { snapshotsExpired: number }; orphans: { orphans: number } }> };
    assert.ok(summary.tables.every((t) => t.expiry.snapshotsExpired > 0), 'snapshots expired in every table');

    assert.equal(await exists(oldOrphan), false, 'old orphan removed');
    assert.equal(await exists(youngOrphan), true, 'young orphan kept (a writer may still commit it)');
    const catalog = new FilesystemCatalog(warehouse);
    for (const [i, name] of TABLE_NAMES.entries()) {
      const metadata = await loadMetadata(warehouse, name);
      assert.equal(metadata.snapshots.length, 2, `${name}: the newest 2 snapshots kept`);
      assert.deepEqual(await carriedSummary(warehouse, name), offsetsBefore[i], `${name}: offsets chain intact`);
      const referenced = await reachableFiles(catalog.io, metadata.snapshots);
      for (const file of [...referenced.metadata, ...referenced.dataFiles]) assert.ok(await exists(file), `${name}: referenced ${file} exists`);
    }

    // Restart over the whole stream: records below the committed offsets are skipped.
    await ingestEmbedded(warehouse, options);
    const expected = oracle(allRecords(options));
    const readers = await readGraphAggregates([warehouse]);
    assertGraphEqualsOracle(readers.pyiceberg, expected, 'pyiceberg after restart');
    assertGraphEqualsOracle(readers.duckdb, expected, 'duckdb after restart');
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
