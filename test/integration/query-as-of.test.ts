/**
 * Time travel (docs/CONTRACTS.md §7): a lake committed in two halves; `--as-of` the first
 * half's snapshot (by id, and by its commit time) answers as the oracle of the first half
 * alone, without it as the oracle of both, through `query`, `sql` and serve's `as_of=`;
 * once expiry has removed that history, asking for it exits 2 naming what is still held.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { currentSnapshot } from '../../src/lake/spec/table-metadata.js';
import { NAMESPACE, TABLE_NAMES } from '../../src/lake/tables.js';
import type { Catalog, TableIdentifier } from '../../src/lake/catalog/catalog.js';
import type { GraphResult } from '../../src/query/graph-result.js';
import { QueryServer } from '../../src/query/http/query-server.js';
import { PastSessions } from '../../src/query/past-sessions.js';
import { QuerySession } from '../../src/query/query-session.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import { runCli } from '../support/cli-process.js';
import { oracle, oracleMemberActivity, type OracleResult } from '../support/oracle.js';

const BASE_TS = Date.UTC(2026, 5, 1, 12);
const FIRST: GeneratorOptions = { events: 8_000, seed: 61, topics: ['app.playback'], partitions: 2, baseTs: BASE_TS };
const SECOND: GeneratorOptions = { events: 8_000, seed: 62, topics: ['app.session'], partitions: 2, baseTs: BASE_TS };
const warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-as-of-'));
after(() => rmSync(warehouse, { recursive: true, force: true }));

const truthOf = (...halves: GeneratorOptions[]): OracleResult => oracle(halves.flatMap((options) => [...new RecordGenerator(options)]));
const edgeLines = (edges: ReadonlyArray<{ edge_type: string; src_id: string; dst_id: string; event_count: number; last_seen: string }>) =>
  edges.map((e) => `${e.edge_type} ${e.src_id} ${e.dst_id} ${e.event_count} ${e.last_seen}`).sort();

test('--as-of a snapshot id or time answers as the lake then held it; expired history exits 2', { timeout: 240_000 }, async () => {
  const catalog = new FilesystemCatalog(warehouse);
  const run = (options: GeneratorOptions) =>
    runEmbeddedPipeline({ catalog, generator: new RecordGenerator(options), topics: options.topics!, partitions: 2, commitIntervalMs: 10_000 });
  await run(FIRST);
  const first = currentSnapshot(await catalog.loadTable({ namespace: [NAMESPACE], name: 'edges' }))!;
  await new Promise((resolve) => setTimeout(resolve, 20));
  await run(SECOND);

  const then = truthOf(FIRST);
  const now = truthOf(FIRST, SECOND);
  const newest = Math.max(...[...now.edges.values()].map((e) => e.last_seen));
  const account = [...now.edges.values()].find((e) => e.edge_type === 'logged_in_from')!.src_id; // active in the second half
  const expected = (truth: OracleResult) =>
    edgeLines(oracleMemberActivity(truth, { account }, newest - 86_400_000).map((e) => ({ ...e, last_seen: new Date(e.last_seen).toISOString() })));
  assert.notDeepEqual(expected(then), expected(now), 'the two halves differ for this member');

  const ask = async (...extra: string[]) => {
    const result = await runCli(['query', 'member-activity', '--account', account, '--since', '1d', '--at', String(newest), '--json', '--warehouse', warehouse, ...extra], { LAKEGRAPH_BROKERS: '' });
    assert.equal(result.code, 0, result.stderr);
    return edgeLines((JSON.parse(result.stdout) as GraphResult).edges);
  };
  assert.deepEqual(await ask(), expected(now), 'now');
  assert.deepEqual(await ask('--as-of', String(first['snapshot-id'])), expected(then), 'as of the first half by snapshot id');
  assert.deepEqual(await ask('--as-of', new Date(first['timestamp-ms']).toISOString()), expected(then), 'as of the first half by time');

  const count = async (...extra: string[]) => {
    const result = await runCli(['sql', '-c', 'SELECT count(DISTINCT source_topic) AS topics FROM edges', '--json', '--warehouse', warehouse, ...extra], { LAKEGRAPH_BROKERS: '' });
    assert.equal(result.code, 0, result.stderr);
    return Number((JSON.parse(result.stdout) as Array<{ topics: string }>)[0]!.topics);
  };
  assert.equal(await count('--as-of', String(first['snapshot-id'])), 1, 'sql as of the first half sees one topic');
  assert.equal(await count(), 2, 'sql now sees two');

  const init = await runCli(['duckdb-init', '--as-of', String(first['snapshot-id']), '--warehouse', warehouse]);
  assert.equal(init.code, 0, init.stderr);
  assert.ok(init.stdout.includes(`-- as of ${new Date(first['timestamp-ms']).toISOString()}`), init.stdout);
  assert.ok(init.stdout.includes(`-- ${NAMESPACE}.edges: snapshot ${first['snapshot-id']},`), 'duckdb-init --as-of plans the first half\'s edges snapshot');
  const unknownId = await runCli(['query', 'member-activity', '--account', account, '--warehouse', warehouse, '--as-of', '12345678901234567'], { LAKEGRAPH_BROKERS: '' });
  assert.equal(unknownId.code, 2, unknownId.stderr);
  assert.match(unknownId.stderr, /--as-of 12345678901234567: no graph table holds a snapshot 12345678901234567/);

  // A past session loads each table's metadata once: to find the moment a snapshot id names, and to plan it.
  const loads: string[] = [];
  const counting: Catalog = Object.assign(Object.create(catalog) as Catalog, {
    loadTable: (id: TableIdentifier) => {
      loads.push(id.name);
      return catalog.loadTable(id);
    },
  });
  const once = await QuerySession.open({ catalog: counting, asOf: { kind: 'snapshot-or-time', digits: String(first['snapshot-id']) } });
  await once.close();
  assert.deepEqual(loads.sort(), [...TABLE_NAMES].sort());

  const session = await QuerySession.open({ catalog });
  let pastLoads = 0;
  const countingCatalog = new Proxy(catalog, {
    get: (target, name) =>
      name === 'loadTable'
        ? (...args: Parameters<FilesystemCatalog['loadTable']>) => {
            pastLoads++;
            return target.loadTable(...args);
          }
        : Reflect.get(target, name),
  });
  const past = new PastSessions(countingCatalog);
  const server = new QueryServer({ session, past, port: 0 });
  const port = await server.listen();
  try {
    const get = async (asOf: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/v1/query/member-activity?account=${account}&since=1d&at=${newest}&as_of=${encodeURIComponent(asOf)}`);
      return { status: response.status, body: (await response.json()) as GraphResult & { error?: string } };
    };
    const past1 = await get(String(first['snapshot-id']));
    assert.equal(past1.status, 200, JSON.stringify(past1.body));
    assert.deepEqual(edgeLines(past1.body.edges), expected(then), 'serve as_of=');
    const loadsForFirst = pastLoads;
    const again = await get(String(first['snapshot-id']));
    assert.deepEqual(edgeLines(again.body.edges), expected(then), 'serve as_of= asked again');
    assert.equal(pastLoads, loadsForFirst, 'asked again, the snapshot id is not looked up in the catalog again');
    const unknown = await get('12345678901234567');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error!, /no graph table holds a snapshot 12345678901234567/);
  } finally {
    await server.close();
    await Promise.all([session.close(), past.close()]);
  }

  const expire = await runCli(['compact', '--expire-older-than', '0s', '--keep-snapshots', '1', '--warehouse', warehouse]);
  assert.equal(expire.code, 0, expire.stderr);
  const expired = await runCli(['query', 'member-activity', '--account', account, '--warehouse', warehouse, '--as-of', new Date(first['timestamp-ms']).toISOString()], { LAKEGRAPH_BROKERS: '' });
  assert.equal(expired.code, 2, expired.stderr);
  assert.match(expired.stderr, /no longer holds a snapshot at or before .* the oldest it holds is \d+ of /);
  const bad = await runCli(['query', 'member-activity', '--account', account, '--warehouse', warehouse, '--as-of', 'yesterday']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--as-of: "yesterday" is not a snapshot id/);
});
