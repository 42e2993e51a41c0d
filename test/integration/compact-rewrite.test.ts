/**
 * Issue 5: after ≥ 200 small commits, `lakegraph compact` cuts the live data files ≥ 10×;
 * per-key aggregates are identical before and after (our DuckDB reads both; PyIceberg and
 * DuckDB iceberg_scan read the result and equal the oracle), the graph queries answer
 * the same, and the Kafka offsets chain is intact.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { timestampTZValue } from '@duckdb/node-api';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { QuerySession } from '../../src/query/query-session.js';
import { runLibraryQuery } from '../../src/query/sql-library.js';
import { lakeAggregates, type LakeAggregates } from '../support/ingest-harness.js';
import { assertGraphEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { oracle } from '../support/oracle.js';
import { allRecords, carriedSummary, generatorOptions, ingestEmbedded, liveFiles, loadMetadata } from './compact-fixtures.js';
import { runCli } from '../support/cli-process.js';

const EVENTS = 8_000;

/** Every library query for a handful of members, as JSON text. */
async function queryAnswers(warehouse: string, accounts: readonly string[]): Promise<string> {
  const session = await QuerySession.open({ catalog: new FilesystemCatalog(warehouse) });
  try {
    return await session.query(async ({ connection: c }) => {
      const since = timestampTZValue(BigInt(Date.parse('2026-11-26T12:30:00Z')) * 1000n);
      const answers: unknown[] = [await runLibraryQuery(c, 'top_titles', { top_n: 20 })];
      for (const account of accounts) {
        answers.push(await runLibraryQuery(c, 'member_activity', { account_id: account, profile_id: null, since }));
        answers.push(await runLibraryQuery(c, 'neighbors', { node_type: 'account', node_id: account, edge_type: null, since }));
        answers.push(await runLibraryQuery(c, 'khop', { node_type: 'account', node_id: account, hops: 2, fanout: 50, since }));
      }
      assert.ok(answers.every((rows) => (rows as unknown[]).length > 0), 'every query has rows to compare');
      return JSON.stringify(answers);
    });
  } finally {
    await session.close();
  }
}

/** Per-key aggregates and rejected rows through our own DuckDB session; compaction may reorder rows. */
async function aggregates(warehouse: string): Promise<LakeAggregates> {
  const read = await lakeAggregates(warehouse);
  read.rejectedPositions.sort();
  return read;
}

test(`compaction after ≥ 200 small commits: ≥ 10× fewer files, same aggregates and answers`, { timeout: 300_000 }, async (t) => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-rewrite-'));
  try {
    const options = generatorOptions(EVENTS);
    await ingestEmbedded(warehouse, options);
    const commits = (await loadMetadata(warehouse, 'edges')).snapshots.length;
    assert.ok(commits >= 200, `graph.edges got ${commits} commits`);
    const filesBefore = (await liveFiles(warehouse, 'edges')).length;
    const nodeFilesBefore = (await liveFiles(warehouse, 'nodes')).length;
    const offsetsBefore = await carriedSummary(warehouse, 'edges');
    // Two members: each library query over ~2,000 uncompacted files costs seconds.
    const accounts = ['a-1', 'a-5'];
    const answersBefore = await queryAnswers(warehouse, accounts);
    // Read in-process: a third-party reader over ~2,000 tiny files is the slowest step there is.
    const aggregatesBefore = await aggregates(warehouse);

    const run = await runCli(['compact', '--warehouse', warehouse, '--target-file-mb', '64', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { tables: Array<{ table: string; rewrite: { rowsMerged: number; before: { records: number }; after: { records: number } } }> };
    const edgesSummary = summary.tables.find((s) => s.table === 'edges')!;
    t.diagnostic(`compact: ${run.stdout.trim()}`);

    const filesAfter = (await liveFiles(warehouse, 'edges')).length;
    const nodeFilesAfter = (await liveFiles(warehouse, 'nodes')).length;
    t.diagnostic(`${commits} commits; edges ${filesBefore} → ${filesAfter} files, nodes ${nodeFilesBefore} → ${nodeFilesAfter}`);
    assert.ok(filesBefore >= 10 * filesAfter, `edges: ${filesBefore} → ${filesAfter} files`);
    assert.ok(nodeFilesBefore >= 10 * nodeFilesAfter, `nodes: ${nodeFilesBefore} → ${nodeFilesAfter} files`);
    assert.ok(edgesSummary.rewrite.rowsMerged > 0 && edgesSummary.rewrite.after.records < edgesSummary.rewrite.before.records, 'rows of one key were merged');
    assert.equal((await loadMetadata(warehouse, 'edges')).snapshots.at(-1)!.summary.operation, 'replace');
    assert.deepEqual(await carriedSummary(warehouse, 'edges'), offsetsBefore, 'offsets carried through the replace');

    assert.deepEqual(await aggregates(warehouse), aggregatesBefore, 'edge and node aggregates and rejected rows unchanged');
    const readersAfter = await readGraphAggregates([warehouse]);
    const expected = oracle(allRecords(options));
    for (const reader of ['pyiceberg', 'duckdb'] as const) {
      assertGraphEqualsOracle(readersAfter[reader], expected, reader);
      assert.equal(readersAfter[reader].rejected.length, aggregatesBefore.rejected, `${reader}: rejected rows`);
      assert.equal(readersAfter[reader].edges_rows, edgesSummary.rewrite.after.records, `${reader}: the merged edge rows`);
    }
    assert.equal(await queryAnswers(warehouse, accounts), answersBefore, 'graph queries answer the same');
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
