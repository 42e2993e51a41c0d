/**
 * Issue 5: compaction runs again and again while two ingest processes commit to the same
 * tables. No ingest commit is lost (each topic's offsets in the current snapshot reach
 * the end of its stream, and every ingest exits cleanly) and the aggregates equal the
 * oracle. The writers are embedded-pipeline processes committing every ~80 edge rows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { offsetsKey } from '../../src/stream/job/source-positions.js';
import { oracle } from '../support/oracle.js';
import { allRecords, assertOracleEquality, carriedSummary, generatorOptions, liveFiles, readerAggregates, runCli } from './compact-fixtures.js';

const TOPICS = ['app.playback', 'app.ads'] as const;
const EVENTS = 2_500;

test('compaction beside two ingest processes: no lost commit, oracle equality', { timeout: 240_000 }, async (t) => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-concurrent-'));
  try {
    await openGraphTables(new FilesystemCatalog(warehouse));
    const writer = fileURLToPath(new URL('./compact-writer-process.js', import.meta.url));
    let running = TOPICS.length;
    const writers = TOPICS.map((topic) =>
      promisify(execFile)(process.execPath, [writer, warehouse, topic, String(EVENTS)]).finally(() => running--),
    );
    const maintain = ['compact', '--warehouse', warehouse, '--target-file-mb', '16', '--expire-older-than', '0s', '--keep-snapshots', '3', '--orphan-older-than', '1h', '--json'];
    let runs = 0;
    let replacedFiles = 0;
    while (running > 0) {
      const run = await runCli(maintain);
      assert.equal(run.code, 0, run.stderr);
      runs++;
      replacedFiles += (JSON.parse(run.stdout) as { tables: Array<{ rewrite: { filesRewritten: number } }> }).tables.reduce((n, x) => n + x.rewrite.filesRewritten, 0);
    }
    const reports = await Promise.all(writers);
    t.diagnostic(`writers: ${reports.map((r) => r.stdout.trim()).join(' ')}; ${runs} compaction runs beside them rewrote ${replacedFiles} files`);
    assert.ok(runs >= 2 && replacedFiles > 0, 'compaction really ran and rewrote files while ingest committed');
    assert.equal((await runCli(maintain)).code, 0);

    const streams = TOPICS.map((topic) => allRecords(generatorOptions(EVENTS, [topic])));
    for (const name of ['edges', 'nodes'] as const) {
      const summary = await carriedSummary(warehouse, name);
      for (const [i, topic] of TOPICS.entries()) {
        const ends: Record<string, number> = {};
        for (const r of streams[i]) ends[r.partition] = Math.max(ends[r.partition] ?? 0, r.offset + 1);
        assert.deepEqual(JSON.parse(summary[offsetsKey(topic)]), ends, `${name}: ${topic} committed to the end`);
      }
    }
    const expected = oracle(streams.flat());
    const readers = await readerAggregates(warehouse);
    assertOracleEquality(readers.pyiceberg, expected, 'pyiceberg');
    assertOracleEquality(readers.duckdb, expected, 'duckdb');
    assert.ok((await liveFiles(warehouse, 'edges')).length <= 16, 'compacted at the end');
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
