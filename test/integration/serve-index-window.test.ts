/**
 * `serve --index-window` (issue 13 item 4): the edge index holds only the rows last seen
 * within the window, over a table whose rows span three days, and every answer still
 * equals the oracle — windows inside the index window from the index plus the pre-window
 * summary (edges with rows on both sides keep their whole aggregate), windows reaching
 * further back from the data files — also after the window slides and evicts a day.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { parseGraphRequest, type QueryName } from '../../src/query/graph-request.js';
import type { GraphEdge, GraphResult } from '../../src/query/graph-result.js';
import { QuerySession } from '../../src/query/query-session.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { Prng } from '../../src/stream/generator/prng.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import { runCli, startServe } from '../support/cli-process.js';
import { oracle, oracleKhop, oracleMemberActivity, type OracleEdge, type OracleResult } from '../support/oracle.js';
import { step } from '../support/private-services.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Event time over the three days before now: the one-day index window leaves at least a day before it. */
const GENERATOR: GeneratorOptions = { events: 12_000, seed: 21, partitions: 4, spanMs: 3 * DAY, jitterMs: 60_000 };

let warehouse: string;
let truth: OracleResult;
let newest: number;
let clock = Date.now();
let files: QuerySession;
let windowed: QuerySession;

before(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-index-window-'));
  const catalog = new FilesystemCatalog(warehouse);
  const generator = { ...GENERATOR, baseTs: clock - GENERATOR.spanMs! };
  await runEmbeddedPipeline({ catalog, generator: new RecordGenerator(generator), topics: TOPICS, partitions: 4, commitIntervalMs: 250 });
  truth = oracle([...new RecordGenerator(generator)]);
  newest = Math.max(...[...truth.edges.values()].map((e) => e.last_seen));
  files = await QuerySession.open({ catalog });
  windowed = await QuerySession.open({ catalog, edgeIndex: { windowMs: DAY, now: () => clock } });
});

after(async () => {
  await files?.close();
  await windowed?.close();
  rmSync(warehouse, { recursive: true, force: true });
});

const asJson = (e: OracleEdge): GraphEdge => ({
  edge_type: e.edge_type, src_type: e.src_type, src_id: e.src_id, dst_type: e.dst_type, dst_id: e.dst_id,
  first_seen: new Date(e.first_seen).toISOString(), last_seen: new Date(e.last_seen).toISOString(), event_count: e.event_count,
});
const keyOf = (e: GraphEdge) => JSON.stringify([e.edge_type, e.src_id, e.dst_id]);
const sorted = (edges: readonly GraphEdge[]) => [...edges].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
const windowStartMs = () => Date.parse(windowed.stats().indexWindowStart!);

function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Asks the windowed session, checking which side answered; returns the answer. */
async function ask(query: QueryName, options: Record<string, string>, expectIndex: boolean): Promise<GraphResult> {
  const parsed = parseGraphRequest(query, options, newest);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const before = windowed.stats().answeredBy;
  const result = await windowed.graphQuery(parsed.request);
  const after = windowed.stats().answeredBy;
  assert.deepEqual([after.index - before.index, after.lake - before.lake], expectIndex ? [1, 0] : [0, 1], `${query} since ${options['since']}: answered by the ${expectIndex ? 'index' : 'lake'}`);
  return result;
}

/** Windows (ms before `newest`) inside the index window and reaching before it. */
function windows(): { inside: number[]; outside: number[] } {
  const room = newest - windowStartMs();
  return { inside: [HOUR, room / 2, room - 60_000].map(Math.floor), outside: [room + HOUR, 2 * DAY, 4 * DAY] };
}

test('the index holds the window only: fewer rows than the table, and a summary of the rows before it', () => {
  const stats = windowed.stats();
  const start = windowStartMs();
  assert.ok(start <= clock - DAY && start > clock - 2 * DAY, `the window starts at the UTC day holding now − 1d, not ${stats.indexWindowStart}`);
  const total = files.stats();
  assert.equal(total.indexedEdgeRows, null);
  const before = [...truth.edges.values()].filter((e) => e.first_seen < start).length;
  assert.ok(before > 100, `only ${before} edges have rows before the window; the test would prove little`);
  assert.ok(stats.indexedEdgeRows! > 0);
});

test('member-activity equals the oracle for windows inside and outside the index window', async () => {
  const prng = new Prng(31);
  const rng = () => prng.next();
  const hasProfile = [...truth.edges.values()].filter((e) => e.edge_type === 'has_profile');
  const { inside, outside } = windows();
  let spanning = 0;
  let nonEmpty = 0;
  for (let i = 0; i < 24; i++) {
    const edge = pick(hasProfile, rng);
    const byAccount = i % 2 === 0;
    const isInside = i % 3 !== 0;
    const windowMs = isInside ? inside[i % inside.length]! : outside[i % outside.length]!;
    const member = byAccount ? { account: edge.src_id } : { profile: edge.dst_id };
    const expected = oracleMemberActivity(truth, member, newest - windowMs).map(asJson);
    const got = await ask('member-activity', { [byAccount ? 'account' : 'profile']: byAccount ? edge.src_id : edge.dst_id, since: `${windowMs}ms` }, isInside);
    assert.deepEqual(sorted(got.edges), sorted(expected));
    if (expected.length > 0) nonEmpty++;
    if (isInside) spanning += got.edges.filter((e) => Date.parse(e.first_seen) < windowStartMs()).length;
  }
  assert.ok(nonEmpty >= 12, `only ${nonEmpty} of 24 answers held edges`);
  assert.ok(spanning >= 5, `only ${spanning} edges answered from the index had rows before the window; the summary went untested`);
});

const accounts = () => [...new Set([...truth.edges.values()].filter((e) => e.src_type === 'account').map((e) => e.src_id))];

test('khop equals the oracle walk inside and outside the index window, and a binding fan-out answers as the data files do', async () => {
  const prng = new Prng(32);
  const rng = () => prng.next();
  const { inside, outside } = windows();
  for (let i = 0; i < 6; i++) {
    const account = pick(accounts(), rng);
    const isInside = i % 2 === 0;
    const windowMs = isInside ? inside[i % inside.length]! : outside[i % outside.length]!;
    const options = { node: `account:${account}`, hops: String(2 + (i % 2)), since: `${windowMs}ms` };
    const got = await ask('khop', { ...options, fanout: '1000' }, isInside);
    assert.deepEqual(sorted(got.edges), sorted(oracleKhop(truth, `account:${account}`, Number(options.hops), newest - windowMs).map(asJson)));
    const parsed = parseGraphRequest('khop', { ...options, fanout: '2' }, newest);
    assert.ok(parsed.ok);
    assert.deepEqual((await ask('khop', { ...options, fanout: '2' }, isInside)).edges, (await files.graphQuery(parsed.request)).edges);
  }
});

test('neighbors equals the oracle inside and outside the index window', async () => {
  const prng = new Prng(33);
  const rng = () => prng.next();
  const all = [...truth.edges.values()];
  const { inside, outside } = windows();
  for (let i = 0; i < 10; i++) {
    const e = pick(all, rng);
    const [type, id] = i % 2 === 0 ? [e.src_type, e.src_id] : [e.dst_type, e.dst_id];
    const isInside = i % 3 !== 0;
    const windowMs = isInside ? inside[i % inside.length]! : outside[i % outside.length]!;
    const expected = all.filter((x) => ((x.src_type === type && x.src_id === id) || (x.dst_type === type && x.dst_id === id)) && x.last_seen >= newest - windowMs);
    const got = await ask('neighbors', { node: `${type}:${id}`, since: `${windowMs}ms` }, isInside);
    assert.deepEqual(sorted(got.edges), sorted(expected.map(asJson)));
  }
});

test('as the window slides a day, the index evicts that day and answers stay equal to the oracle', async () => {
  const { indexedEdgeRows: rowsBefore } = windowed.stats();
  const startBefore = windowStartMs();
  clock += DAY;
  assert.equal(await windowed.refresh(), true, 'a moved window swaps in a new index version without a new snapshot');
  assert.equal(windowStartMs(), startBefore + DAY);
  assert.ok(windowed.stats().indexedEdgeRows! < rowsBefore!, `rows ${windowed.stats().indexedEdgeRows} after the slide, ${rowsBefore} before`);
  const prng = new Prng(34);
  const rng = () => prng.next();
  const room = newest - windowStartMs();
  // Right after 00:00 UTC the slid window holds almost nothing of the generated events: then only the lake side is checked.
  const windowsMs = [...(room > 2 * 60_000 ? [Math.floor(room / 2)] : []), room + HOUR, 3 * DAY];
  for (let i = 0; i < 12; i++) {
    const windowMs = windowsMs[i % windowsMs.length]!;
    const account = pick(accounts(), rng);
    const expected = oracleMemberActivity(truth, { account }, newest - windowMs).map(asJson);
    const got = await ask('member-activity', { account, since: `${windowMs}ms` }, windowMs < room);
    assert.deepEqual(sorted(got.edges), sorted(expected));
  }
});

test('lakegraph serve --index-window answers both sides over HTTP and counts them in /metrics; a bad window exits 2', async () => {
  const { process: serve, url } = await startServe(['--no-tail', '--warehouse', warehouse, '--index-window', '1d']);
  const lines = serve.output().stdout.split('\n');
  const ready = JSON.parse(lines.find((l) => l.includes('"msg":"edge index ready"'))!) as { windowStart: string };
  assert.ok(Date.parse(ready.windowStart) <= Date.now() - DAY, `edge index ready logs where the window starts: ${ready.windowStart}`);
  try {
    const account = [...truth.edges.values()].find((e) => e.edge_type === 'has_profile')!.src_id;
    for (const windowMs of [HOUR, 3 * DAY]) {
      const response = await fetch(`${url}/v1/query/member-activity?account=${encodeURIComponent(account)}&since=${windowMs}ms&at=${newest}`);
      assert.equal(response.status, 200);
      const got = (await response.json()) as GraphResult;
      assert.deepEqual(sorted(got.edges), sorted(oracleMemberActivity(truth, { account }, newest - windowMs).map(asJson)));
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /lakegraph_query_answered_total\{by="index"\} 1\n/);
    assert.match(metrics, /lakegraph_query_answered_total\{by="lake"\} 1\n/);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { answeredBy: unknown; indexWindowStart: unknown };
    assert.deepEqual([health.answeredBy, health.indexWindowStart], [{ index: 1, lake: 1 }, ready.windowStart], '/healthz says what answered and where the window starts');
  } finally {
    serve.child.kill('SIGTERM');
    assert.equal((await step('serve to stop', 30_000, serve.exited)).code, 0);
  }
  const bad = await runCli(['serve', '--port', '0', '--no-tail', '--warehouse', warehouse, '--index-window', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^[^\n]*--index-window[^\n]*$/);
});
