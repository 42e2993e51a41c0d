/**
 * Graph queries over a committed warehouse, against the oracle: the embedded pipeline
 * writes generated events; the same generator's records go through test/support/oracle.ts.
 * Also: the HTTP service under abuse, and the real DuckDB CLI running every sql/ file
 * through `lakegraph duckdb-init`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { parseGraphRequest, type QueryName } from '../../src/query/graph-request.js';
import type { GraphEdge, GraphResult } from '../../src/query/graph-result.js';
import { QueryServer } from '../../src/query/http/query-server.js';
import { QuerySession } from '../../src/query/query-session.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import { Prng } from '../../src/stream/generator/prng.js';
import { oracle, oracleKhop, oracleMemberActivity, type OracleEdge, type OracleResult } from '../support/oracle.js';
import { DUCKDB_CLI } from '../support/services.js';
import { activityKeys, assertEverySqlFileRuns, cliRows, sqlLibraryVariables } from '../support/sql-library-cli.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const BASE_TS = Date.parse('2026-03-01T10:00:00Z');
const GENERATOR: GeneratorOptions = { events: 30_000, seed: 7, partitions: 4, baseTs: BASE_TS };

let warehouse: string;
/** Both ways a session reads the committed edges: the planned data files, and the in-memory edge index that `serve` keeps. */
const MODES = ['data files', 'edge index'] as const;
type Mode = (typeof MODES)[number];
let sessions: Record<Mode, QuerySession>;
let truth: OracleResult;
let newest: number;

before(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-query-'));
  const catalog = new FilesystemCatalog(warehouse);
  await runEmbeddedPipeline({ catalog, generator: new RecordGenerator(GENERATOR), topics: TOPICS, partitions: 4, commitIntervalMs: 50 });
  truth = oracle([...new RecordGenerator(GENERATOR)]);
  newest = Math.max(...[...truth.edges.values()].map((e) => e.last_seen));
  sessions = { 'data files': await QuerySession.open({ catalog }), 'edge index': await QuerySession.open({ catalog, edgeIndex: {} }) };
});

after(async () => {
  for (const session of Object.values(sessions ?? {})) await session.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function ask(query: QueryName, options: Record<string, string>, mode: Mode = 'data files'): Promise<GraphResult> {
  const parsed = parseGraphRequest(query, options, newest);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return sessions[mode].graphQuery(parsed.request);
}

const asJson = (e: OracleEdge): GraphEdge => ({
  edge_type: e.edge_type, src_type: e.src_type, src_id: e.src_id, dst_type: e.dst_type, dst_id: e.dst_id,
  first_seen: new Date(e.first_seen).toISOString(), last_seen: new Date(e.last_seen).toISOString(), event_count: e.event_count,
});
const byKey = (a: GraphEdge, b: GraphEdge) => JSON.stringify([a.edge_type, a.src_id, a.dst_id]) < JSON.stringify([b.edge_type, b.src_id, b.dst_id]) ? -1 : 1;
const sorted = (edges: readonly GraphEdge[]) => [...edges].sort(byKey);
const oracleEdges = () => [...truth.edges.values()];

function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length)]!;
}

for (const mode of MODES) test(`member-activity equals the oracle for random accounts, profiles and windows (${mode})`, async () => {
  const prng = new Prng(11);
  const rng = () => prng.next();
  const hasProfile = oracleEdges().filter((e) => e.edge_type === 'has_profile');
  const windowsMs = [60_000, 5 * 60_000, 30 * 60_000, 24 * 3_600_000];
  let nonEmpty = 0;
  for (let i = 0; i < 25; i++) {
    const edge = pick(hasProfile, rng);
    const windowMs = pick(windowsMs, rng);
    const since = newest - windowMs;
    const byAccount = i % 2 === 0;
    const inWindow = oracleMemberActivity(truth, byAccount ? { account: edge.src_id } : { profile: edge.dst_id }, since).map(asJson);
    const got = await ask('member-activity', { [byAccount ? 'account' : 'profile']: byAccount ? edge.src_id : edge.dst_id, since: `${windowMs}ms` }, mode);
    assert.deepEqual(sorted(got.edges), sorted(inWindow));
    for (let j = 1; j < got.edges.length; j++) assert.ok(got.edges[j - 1]!.last_seen >= got.edges[j]!.last_seen, 'newest first');
    if (inWindow.length > 0) nonEmpty++;
  }
  assert.ok(nonEmpty >= 10, `only ${nonEmpty} of 25 windows held edges; the test would prove little`);
});

for (const mode of MODES) test(`neighbors equals the oracle, with and without an edge type (${mode})`, async () => {
  const prng = new Prng(12);
  const rng = () => prng.next();
  const all = oracleEdges();
  for (let i = 0; i < 15; i++) {
    const e = pick(all, rng);
    const [type, id] = i % 2 === 0 ? [e.src_type, e.src_id] : [e.dst_type, e.dst_id];
    const edgeType = i % 3 === 0 ? e.edge_type : undefined;
    const windowMs = i % 4 === 0 ? 10 * 60_000 : 24 * 3_600_000;
    const expected = all
      .filter((x) => (x.src_type === type && x.src_id === id) || (x.dst_type === type && x.dst_id === id))
      .filter((x) => edgeType === undefined || x.edge_type === edgeType)
      .filter((x) => x.last_seen >= newest - windowMs);
    const got = await ask('neighbors', { node: `${type}:${id}`, since: `${windowMs}ms`, ...(edgeType ? { 'edge-type': edgeType } : {}) }, mode);
    assert.deepEqual(sorted(got.edges), sorted(expected.map(asJson)));
  }
});

for (const mode of MODES) test(`khop equals a breadth-first walk of the oracle graph, fan-out never binding (${mode})`, async () => {
  const prng = new Prng(13);
  const rng = () => prng.next();
  const all = oracleEdges();
  const accounts = [...new Set(all.filter((e) => e.src_type === 'account').map((e) => e.src_id))];
  for (let i = 0; i < 8; i++) {
    const account = pick(accounts, rng);
    const hops = 1 + (i % 3);
    const got = await ask('khop', { node: `account:${account}`, hops: String(hops), fanout: '1000', since: '30m' }, mode);
    assert.deepEqual(sorted(got.edges), sorted(oracleKhop(truth, `account:${account}`, hops, newest - 30 * 60_000).map(asJson)));
  }
});

test('khop with a binding fan-out: the edge index answers as the data files do', async () => {
  const prng = new Prng(15);
  const rng = () => prng.next();
  const accounts = [...new Set(oracleEdges().filter((e) => e.src_type === 'account').map((e) => e.src_id))];
  let trimmed = 0;
  for (let i = 0; i < 8; i++) {
    const options = { node: `account:${pick(accounts, rng)}`, hops: String(2 + (i % 3)), fanout: '2', since: '1d' };
    const [files, indexed, unlimited] = [await ask('khop', options, 'data files'), await ask('khop', options, 'edge index'), await ask('khop', { ...options, fanout: '1000' })];
    assert.deepEqual(indexed.edges, files.edges);
    if (unlimited.edges.length > files.edges.length) trimmed++;
  }
  assert.ok(trimmed >= 3, `the fan-out limit bound in only ${trimmed} of 8 walks; the test would prove little`);
});

for (const mode of MODES) test(`path is a shortest walk over edges of the oracle graph (${mode})`, async () => {
  const prng = new Prng(14);
  const rng = () => prng.next();
  const all = oracleEdges();
  const adjacency = new Map<string, Set<string>>();
  const link = (a: string, b: string) => (adjacency.get(a) ?? adjacency.set(a, new Set()).get(a)!).add(b);
  for (const e of all) {
    link(`${e.src_type}:${e.src_id}`, `${e.dst_type}:${e.dst_id}`);
    link(`${e.dst_type}:${e.dst_id}`, `${e.src_type}:${e.src_id}`);
  }
  const distance = (from: string, to: string, max: number): number | undefined => {
    let frontier = [from];
    const seen = new Set(frontier);
    for (let d = 1; d <= max; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of adjacency.get(n) ?? []) {
          if (seen.has(m)) continue;
          seen.add(m);
          next.push(m);
        }
      }
      if (seen.has(to)) return d;
      frontier = next;
    }
    return undefined;
  };
  const profiles = [...new Set(all.filter((e) => e.src_type === 'profile').map((e) => `profile:${e.src_id}`))];
  let found = 0;
  for (let i = 0; i < 6; i++) {
    const [from, to] = [pick(profiles, rng), pick(profiles, rng)];
    if (from === to) continue;
    const expected = distance(from, to, 4);
    const got = await ask('path', { from, to, 'max-hops': '4' }, mode);
    assert.equal(got.edges.length, expected ?? 0, `${from} → ${to}`);
    if (expected === undefined) continue;
    found++;
    const nodes = got.path!.map((n) => `${n.node_type}:${n.node_id}`);
    assert.equal(nodes[0], from);
    assert.equal(nodes.at(-1), to);
    got.edges.forEach((e, k) => {
      const ends = [`${e.src_type}:${e.src_id}`, `${e.dst_type}:${e.dst_id}`].sort();
      assert.deepEqual(ends, [nodes[k]!, nodes[k + 1]!].sort(), 'each edge joins consecutive path nodes');
      assert.deepEqual(e, asJson(truth.edges.get(JSON.stringify([e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id]))!));
    });
  }
  assert.ok(found > 0, 'no random pair was connected within 4 hops');
});

test('the HTTP service answers 4xx with reasons to abuse and keeps serving', async () => {
  const server = new QueryServer({ session: sessions['edge index'], port: 0, maxBodyBytes: 1024 });
  const port = await server.listen();
  const base = `http://127.0.0.1:${port}`;
  try {
    const account = oracleEdges().find((e) => e.edge_type === 'has_profile')!.src_id;
    const good = `${base}/v1/query/member-activity?account=${encodeURIComponent(account)}&since=1d&at=${newest}`;
    const first = await fetch(good);
    assert.equal(first.status, 200);
    const baseline = (await first.json()) as GraphResult;
    assert.ok(baseline.edges.length > 0);
    const abuse: Array<[string, RequestInit | undefined, number, RegExp]> = [
      [`${base}/v1/query/neighbors?node=planet:earth`, undefined, 400, /TYPE one of/],
      [`${base}/v1/query/khop?node=account:a-1&hops=1000000`, undefined, 400, /hops/],
      [`${base}/v1/query/neighbors?node=${encodeURIComponent("account:a'; DROP TABLE edges; --")}`, undefined, 200, /"edges":\[\]/],
      [`${base}/v1/query/neighbors?node=account:a-1&edge_type=${encodeURIComponent("x' OR '1'='1")}`, undefined, 400, /edge-type/],
      [`${base}/v1/query/drop_tables`, undefined, 404, /unknown query/],
      [`${base}/v1/query/path`, { method: 'POST', body: JSON.stringify({ from: 'account:a', to: 'x'.repeat(5000) }) }, 413, /limit/],
      [`${base}/v1/query/path`, { method: 'POST', body: '{"from": ' }, 400, /not JSON/],
      [`${base}/v1/query/path`, { method: 'DELETE' }, 405, /GET/],
      [`${base}/v1/query/khop?node=account:a&hops=2&bogus=1`, undefined, 400, /unknown option/],
    ];
    for (const [url, init, status, reason] of abuse) {
      const response = await fetch(url, init);
      const text = await response.text();
      assert.equal(response.status, status, `${url}: ${text}`);
      assert.match(text, reason);
    }
    const again = await fetch(good);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), baseline);
    const post = await fetch(`${base}/v1/query/member-activity`, { method: 'POST', body: JSON.stringify({ account, since: '1d', at: String(newest) }) });
    assert.deepEqual(await post.json(), baseline);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /lakegraph_query_duration_seconds_count\{query="member-activity"\} 3/);
    assert.match(metrics, /lakegraph_query_requests_total\{query="khop",status="400"\} 2/);
  } finally {
    await server.close();
  }
});

test('the DuckDB CLI runs every sql/ file over `lakegraph duckdb-init`, member_activity agreeing with the session', async () => {
  assert.ok(existsSync(DUCKDB_CLI), 'the DuckDB CLI from PyPI is in .venv (infra/python/setup puts it there)');
  const init = execFileSync(process.execPath, [join(REPO, 'dist/src/cli/main.js'), 'duckdb-init', '--warehouse', warehouse], { encoding: 'utf8' });
  const initFile = join(warehouse, 'init.sql');
  writeFileSync(initFile, init);
  const account = oracleEdges().find((e) => e.edge_type === 'has_profile')!;
  const variables = sqlLibraryVariables(account, newest);
  // compaction_effect describes compactions, and this warehouse has had none.
  assertEverySqlFileRuns(initFile, variables, new Set(['compaction_effect']));
  const viaSession = await ask('member-activity', { account: account.src_id, since: '1d' });
  assert.deepEqual(activityKeys(cliRows(initFile, 'member_activity', variables)), viaSession.edges.map((e) => [e.edge_type, e.src_id, e.dst_id, e.event_count]));
});
