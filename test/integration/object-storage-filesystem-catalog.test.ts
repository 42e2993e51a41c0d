/**
 * The filesystem-layout catalog on object storage (`--warehouse s3://bucket/prefix`) where
 * the store honours conditional PUTs: the test's own moto. The whole embedded flow works
 * there — `demo`, `status`, `query`, `sql`, `compact` — and PyIceberg and DuckDB's
 * iceberg_scan read the tables straight from the store with the oracle's aggregates.
 * (A store that ignores conditional PUTs is refused: object-storage-compact.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_PARTITIONS } from '../../src/cli/demo.js';
import type { GraphResult } from '../../src/query/graph-result.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { runCli } from '../support/cli-process.js';
import { startMoto } from '../support/moto-server.js';
import { edgeKey, oracle, type OracleResult } from '../support/oracle.js';
import { assertGraphEqualsOracle, assertRejectedEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';

const EVENTS = 20_000;
const START_TIME = Date.UTC(2026, 10, 28, 9, 0, 0);
const generator = () => new RecordGenerator({ events: EVENTS, seed: 9, partitions: DEMO_PARTITIONS, baseTs: START_TIME });

let warehouse: string;
let env: Record<string, string>;
let readerEnv: Readonly<Record<string, string>>;
let scratch: string;
let truth: OracleResult;

before(async () => {
  const moto = await startMoto();
  warehouse = `s3://${moto.bucket}/lake`;
  readerEnv = moto.env;
  scratch = await mkdtemp(join(tmpdir(), 'lakegraph-s3-warehouse-'));
  // The snapshot only (no Kafka tail), and a cache of data-file copies of this test's own.
  env = { ...moto.env, LAKEGRAPH_BROKERS: '', LAKEGRAPH_CACHE_DIR: join(scratch, 'cache') };
  truth = oracle([...generator()]);
});

after(() => rm(scratch, { recursive: true, force: true }));

async function lakegraph(...args: string[]): Promise<string> {
  const run = await runCli([...args, '--warehouse', warehouse], env);
  assert.equal(run.code, 0, `lakegraph ${args.join(' ')} exited ${run.code}:\n${run.stderr.slice(-3000)}`);
  return run.stdout;
}

test('demo, status, query, sql and compact on an s3:// warehouse; third-party readers agree with the oracle', { timeout: 480_000 }, async () => {
  const demo = await lakegraph('demo', '--events', String(EVENTS), '--seed', '9', '--start-time', String(START_TIME), '--commit-interval-ms', '250');
  assert.match(demo, /Account a-\d+: activity in the last 5 minutes/);

  const status = JSON.parse(await lakegraph('status', '--json')) as { tables: Array<{ table: string; snapshots: number; liveRecords: number }> };
  assert.deepEqual(status.tables.map((t) => t.table), ['edges', 'nodes', 'rejected_events']);
  assert.ok(status.tables.every((t) => t.snapshots > 1 && t.liveRecords > 0), JSON.stringify(status.tables));

  const edges = [...truth.edges.values()];
  const account = edges.find((e) => e.edge_type === 'has_profile')!.src_id;
  const newest = Math.max(...edges.map((e) => e.last_seen));
  const activity = JSON.parse(await lakegraph('query', 'member-activity', '--account', account, '--since', '1d', '--at', String(newest), '--json')) as GraphResult;
  assert.ok(activity.edges.length > 0, `${account} has activity`);
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const e of activity.edges) {
    const expected = truth.edges.get(edgeKey(e))!;
    assert.deepEqual([e.first_seen, e.last_seen, e.event_count], [iso(expected.first_seen), iso(expected.last_seen), expected.event_count], edgeKey(e));
  }

  const totals = JSON.parse(await lakegraph('sql', '--json', '-c', 'SELECT count(DISTINCT (edge_type, src_id, dst_id)) AS edges, sum(event_count) AS events FROM edges'));
  assert.deepEqual(totals, [{ edges: String(truth.edges.size), events: String(edges.reduce((n, e) => n + e.event_count, 0)) }]);

  const compact = JSON.parse((await lakegraph('compact', '--json')).trim().split('\n').pop()!) as { tables: Array<{ table: string; rewrite: { filesWritten: number; filesRewritten: number } }> };
  const rewrite = compact.tables.find((t) => t.table === 'edges')!.rewrite;
  assert.ok(rewrite.filesWritten > 0 && rewrite.filesWritten < rewrite.filesRewritten, JSON.stringify(rewrite));

  const readers = await readGraphAggregates([warehouse], readerEnv);
  for (const [reader, view] of Object.entries(readers)) {
    assertGraphEqualsOracle(view, truth, reader);
    assertRejectedEqualsOracle(view, truth, reader);
  }
});
