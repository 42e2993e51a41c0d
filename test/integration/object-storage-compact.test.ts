/**
 * Compaction on a lake in object storage, from two hosts at once (simulated: two
 * `lakegraph compact` processes with separate temp and cache directories, so no lock
 * file is shared), against the test's own REST catalog and store: both finish, the table
 * ends compacted, and the graph's aggregates are what they were. Also: a filesystem-layout
 * warehouse on a store that ignores conditional PUTs is refused with exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NAMESPACE } from '../../src/lake/tables.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { runCli } from '../support/cli-process.js';
import { lakeAggregates } from '../support/ingest-harness.js';
import { PrivateS3Lake } from '../support/private-s3-lake.js';

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

test('two compactions of one S3 lake at once, from different hosts, lose and duplicate nothing', { timeout: 480_000 }, async () => {
  const lake = await PrivateS3Lake.create({ events: 30_000, seed: 5, partitions: 4, baseTs: Date.UTC(2026, 10, 30) });
  const { catalog, io, env } = lake;
  const edgeFiles = async () => (await planFiles(io, await catalog.loadTable({ namespace: [NAMESPACE], name: 'edges' }))).files.length;
  const filesBefore = await edgeFiles();
  const before = await lakeAggregates(catalog);

  const hosts = await Promise.all(['host-a', 'host-b'].map((host) => mkdtemp(join(tmpdir(), `lakegraph-${host}-`))));
  scratch.push(...hosts);
  const runs = await Promise.all(
    hosts.map((dir) => runCli(['compact', '--json'], { ...env, TMPDIR: dir, LAKEGRAPH_CACHE_DIR: join(dir, 'cache') })),
  );
  for (const run of runs) assert.equal(run.code, 0, `compact exited ${run.code}:\n${run.stderr.slice(-3000)}`);
  const edges = runs.map((run) => (JSON.parse(run.stdout.trim().split('\n').pop()!) as { tables: Array<{ table: string; rewrite: { filesWritten: number; conflicted: boolean } }> }).tables.find((t) => t.table === 'edges')!.rewrite);
  assert.ok(edges.some((r) => r.filesWritten > 0), `one run rewrote the edges: ${JSON.stringify(edges)}`);

  const filesAfter = await edgeFiles();
  assert.ok(filesAfter < filesBefore, `fewer edge files: ${filesBefore} → ${filesAfter}`);
  const afterwards = await lakeAggregates(catalog);
  assert.deepEqual(afterwards.edges, before.edges, 'edge aggregates unchanged');
  assert.deepEqual(afterwards.nodes, before.nodes, 'node aggregates unchanged');
  assert.equal(afterwards.rejected, before.rejected, 'rejected rows unchanged');

  const refused = await runCli(['status', '--warehouse', 's3://lakegraph/filesystem-layout'], { AWS_ENDPOINT_URL_S3: lake.services.objectStoreEndpoint, LAKEGRAPH_CATALOG_URI: '' });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /ignores conditional PUTs .*use a REST catalog/);
  lake.passed();
});
