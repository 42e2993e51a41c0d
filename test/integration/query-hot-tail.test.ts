/**
 * The hot tier against the real Kafka broker (infra/local/up): generated app.live events
 * are produced to a fresh topic, committed to a fresh warehouse in part by a TopicJob; a
 * query session reads the rest from Kafka. member-activity over snapshot ∪ tail must equal the oracle of every record
 * in the topic — before the rest is committed (it is only in the hot tier) and after the
 * commit lands and the session swaps (each record counted once).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { parseGraphRequest, type QueryName } from '../../src/query/graph-request.js';
import { QuerySession, type HotTailOptions } from '../../src/query/query-session.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { TopicJob } from '../../src/stream/job/topic-job.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { createTopic, testKafka, uniqueName } from '../support/ingest-harness.js';
import { readWholeTopic } from '../support/read-topic.js';
import { oracle } from '../support/oracle.js';

const CONTRACT = 'app.ads';
const TOPIC = uniqueName(`it.hot.${CONTRACT}`);
const PARTITIONS = 4;

test('member-activity over snapshot ∪ Kafka tail equals the oracle before and after the tail is committed', { timeout: 180_000 }, async () => {
  const kafka = testKafka();
  await createTopic(kafka, TOPIC, PARTITIONS);
  const generated = new RecordGenerator({ events: 4_000, seed: 13, topics: [CONTRACT], partitions: PARTITIONS, maxOversize: 0 });
  assert.equal(await produceRecords(kafka, TOPIC, generated), 4_000);
  const records = await readWholeTopic(kafka, TOPIC);
  assert.equal(records.length, 4_000, 'the topic holds every produced record');
  // The oracle judges records by their contract topic.
  const truth = oracle(records.map((r) => ({ ...r, topic: CONTRACT })));
  const warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-hot-'));
  const catalog = new FilesystemCatalog(warehouse);
  const job = new TopicJob(TOPIC, await openGraphTables(catalog), { contract: CONTRACT });
  await job.reload();
  const partitions = [...new Set(records.map((r) => r.partition))];
  job.assign(partitions);
  // Commit about half of each partition; the rest stays in Kafka only.
  const half = new Map(partitions.map((p) => [p, Math.floor(records.filter((r) => r.partition === p).length / 2)]));
  const [committed, rest] = [records.filter((r) => r.offset < half.get(r.partition)!), records.filter((r) => r.offset >= half.get(r.partition)!)];
  for (const r of committed) job.process(r);
  await job.flush();

  // As `lakegraph query` opens it (data files) and as `serve` does (edge index).
  const hot: HotTailOptions = { kafka, topics: [{ topic: TOPIC, contract: CONTRACT }] };
  const sessions = [await QuerySession.open({ catalog, hot }), await QuerySession.open({ catalog, hot, edgeIndex: {} })];
  try {
    for (const session of sessions) await session.catchUp(30_000);
    const accounts = [...new Set([...truth.edges.values()].filter((e) => e.edge_type === 'has_profile').map((e) => e.src_id))].slice(0, 8);
    const ask = async (session: QuerySession, query: QueryName, options: Record<string, string>) => {
      const parsed = parseGraphRequest(query, options, Date.now());
      assert.ok(parsed.ok);
      return session.graphQuery(parsed.request);
    };
    const check = async (stage: string) => {
      for (const [mode, session] of [['data files', sessions[0]!], ['edge index', sessions[1]!]] as const) {
        for (const account of accounts) {
          const got = await ask(session, 'member-activity', { account, since: '100000d' });
          const profiles = new Set([...truth.edges.values()].filter((e) => e.edge_type === 'has_profile' && e.src_id === account).map((e) => e.dst_id));
          const expected = [...truth.edges.values()].filter((e) => (e.src_type === 'account' && e.src_id === account) || (e.src_type === 'profile' && profiles.has(e.src_id)));
          const count = (edges: Array<{ event_count: number }>) => edges.reduce((s, e) => s + e.event_count, 0);
          assert.equal(got.edges.length, expected.length, `${stage}, ${mode}: edges of ${account}`);
          assert.equal(count(got.edges), count(expected), `${stage}, ${mode}: events of ${account}`);
          // path reads the file views, which an indexed session re-points only when a query needs them.
          for (const profile of profiles) {
            const path = await ask(session, 'path', { from: `account:${account}`, to: `profile:${profile}`, 'max-hops': '1' });
            assert.equal(path.edges.length, 1, `${stage}, ${mode}: path ${account} → ${profile}`);
          }
        }
      }
      // khop walks hop by hop through both tiers; the index's walk must find what SQL over the files finds.
      for (const account of accounts) {
        const options = { node: `account:${account}`, hops: '3', fanout: '1000', since: '100000d' };
        const [files, indexed] = await Promise.all(sessions.map((session) => ask(session, 'khop', options)));
        assert.ok(files!.edges.length > 0, `${stage}: khop from ${account} reaches something`);
        assert.deepEqual(indexed!.edges, files!.edges, `${stage}: khop from ${account}, edge index vs data files`);
      }
    };
    for (const session of sessions) assert.ok(session.stats().hotEdgeRows > 0, 'the uncommitted half is in the hot tier');
    await check('half committed');
    for (const r of rest) job.process(r);
    await job.flush();
    for (const session of sessions) {
      assert.equal(await session.refresh(), true, 'the session swaps to the new snapshot');
      assert.equal(session.stats().hotEdgeRows, 0, 'the swap dropped the tail the snapshot covers');
    }
    await check('all committed');
  } finally {
    for (const session of sessions) await session.close();
    rmSync(warehouse, { recursive: true, force: true });
  }
});

test('a khop walk that goes on through a hot edge finds the committed rows beyond it', { timeout: 60_000 }, async () => {
  // Profiles p-1, p-2, p-3 (of a-1, a-2, a-3) each saw ad-x, which is in camp-c. First only
  // p-1's event is committed: from a-2, hop 2 reaches ad-x only through the hot tier, and
  // hop 3 must still find the committed in_campaign row. Then p-2's event is committed too
  // and the sessions swap: from a-3, the walk must still go through p-3's hot edge, which
  // the swap kept. Either way ad-x → camp-c counts all three events.
  const kafka = testKafka();
  const topic = uniqueName('it.hot.khop');
  await createTopic(kafka, topic, 1);
  const event = (n: number) => ({
    partition: 0,
    key: Buffer.from(`a-${n}`),
    value: Buffer.from(JSON.stringify({ event_id: `e-${n}`, event_type: 'ad_impression', ts: Date.now(), account_id: `a-${n}`, profile_id: `p-${n}`, device_id: `d-${n}`, ad_id: 'ad-x', campaign_id: 'camp-c' })),
  });
  const sent = [1, 2, 3].map((n) => ({ ...event(n), topic, offset: 0, timestamp: 0 }));
  assert.equal(await produceRecords(kafka, topic, sent), 3);
  const records = await readWholeTopic(kafka, topic);
  const warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-hot-khop-'));
  const catalog = new FilesystemCatalog(warehouse);
  const job = new TopicJob(topic, await openGraphTables(catalog), { contract: 'app.ads' });
  await job.reload();
  job.assign([0]);
  job.process(records[0]!);
  await job.flush();
  const hot: HotTailOptions = { kafka, topics: [{ topic, contract: 'app.ads' }] };
  const sessions = [await QuerySession.open({ catalog, hot }), await QuerySession.open({ catalog, hot, edgeIndex: {} })];
  const check = async (account: string, stage: string) => {
    for (const [mode, session] of [['data files', sessions[0]!], ['edge index', sessions[1]!]] as const) {
      const parsed = parseGraphRequest('khop', { node: `account:${account}`, hops: '3', since: '1d' }, Date.now());
      assert.ok(parsed.ok);
      const { edges } = await session.graphQuery(parsed.request);
      const inCampaign = edges.find((e) => e.edge_type === 'in_campaign');
      assert.equal(inCampaign?.event_count, 3, `${stage}, ${mode}: from ${account}, ad-x → camp-c counts the committed and the hot events`);
    }
  };
  try {
    for (const session of sessions) await session.catchUp(30_000);
    await check('a-2', 'one event committed');
    job.process(records[1]!);
    await job.flush();
    for (const session of sessions) assert.equal(await session.refresh(), true, 'the session swaps to the new snapshot');
    await check('a-3', 'two events committed');
  } finally {
    for (const session of sessions) await session.close();
    rmSync(warehouse, { recursive: true, force: true });
  }
});
