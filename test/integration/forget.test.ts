/**
 * `lakegraph forget` against the real broker and real readers. Generated app.playback
 * events go to a fresh topic; a TopicJob commits the first half, holds a window of more
 * when the forget starts, and commits the rest of that window while the forget plans (so
 * the purge must plan again; a compaction while it plans graph.nodes, likewise). Query sessions (as `serve` and `query` open them) read the
 * remainder from Kafka. After the forget, no reader — PyIceberg, DuckDB iceberg_scan,
 * lakegraph's sessions and CLI — sees a row of the member; every other member equals the
 * oracle; the window read before the forget is fenced; later events of the member, a bad
 * record keyed by it and a replay stay out, and ingest goes on exactly once. A second case
 * runs the forget through the REST catalog on the object store (files in S3, offsets carried,
 * PyIceberg's REST client and DuckDB read the purged tables).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { FORGOTTEN_TABLE_NAME, FORGOTTEN_VERSION_PROPERTY, readForgottenAccounts } from '../../src/lake/forgotten-accounts.js';
import { carriedProperties } from '../../src/lake/spec/carried-properties.js';
import { currentSnapshot } from '../../src/lake/spec/table-metadata.js';
import { NAMESPACE, TABLE_NAMES } from '../../src/lake/tables.js';
import { forgetAccount } from '../../src/maintenance/forget/forget-account.js';
import { runMaintenance } from '../../src/maintenance/maintenance-run.js';
import { parseGraphRequest } from '../../src/query/graph-request.js';
import { QuerySession, type HotTailOptions } from '../../src/query/query-session.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { positionsOf } from '../../src/stream/job/source-positions.js';
import { ForgottenAccountsChangedError } from '../../src/stream/commit/contribution.js';
import { TopicJob } from '../../src/stream/job/topic-job.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { IngestMetrics } from '../../src/stream/metrics/ingest-metrics.js';
import { runCli } from '../support/cli-process.js';
import { createTopic, endOffsets, lakeAggregates, testKafka, uniqueName, BROKERS } from '../support/ingest-harness.js';
import { edgeKey, nodeKey, oracle, type OracleEdge, type OracleNode, type OracleResult } from '../support/oracle.js';
import { readWholeTopic } from '../support/read-topic.js';
import { readGraphAggregates } from '../support/reader-aggregates.js';
import { CATALOG_URI, assertListening } from '../support/services.js';

const CONTRACT = 'app.playback';
const TOPIC = uniqueName(`it.forget.${CONTRACT}`);
const PARTITIONS = 3;
const EVENTS = 3_000;

/** The records of each partition below `share` of its length (`from` up to `to`). */
function slice(records: readonly SourceRecord[], from: number, to: number): SourceRecord[] {
  const lengths = new Map<number, number>();
  for (const r of records) lengths.set(r.partition, (lengths.get(r.partition) ?? 0) + 1);
  return records.filter((r) => r.offset >= Math.floor(lengths.get(r.partition)! * from) && r.offset < Math.floor(lengths.get(r.partition)! * to));
}

/** The member with the most profiles in `truth`, another member, and tests of what is the member's (docs/MAINTENANCE.md, "What goes"). */
function membersOf(truth: OracleResult) {
  const hasProfile = [...truth.edges.values()].filter((e) => e.edge_type === 'has_profile');
  const profileCount = (account: string) => hasProfile.filter((e) => e.src_id === account).length;
  const accounts = [...new Set(hasProfile.map((e) => e.src_id))].sort((a, b) => profileCount(b) - profileCount(a));
  const [member, other] = [accounts[0]!, accounts[1]!];
  const profiles = new Set(hasProfile.filter((e) => e.src_id === member).map((e) => e.dst_id));
  const isMemberNode = (type: string, id: string) => (type === 'account' && id === member) || (type === 'profile' && profiles.has(id));
  const touchesMember = (e: Pick<OracleEdge, 'src_type' | 'src_id' | 'dst_type' | 'dst_id'>) => isMemberNode(e.src_type, e.src_id) || isMemberNode(e.dst_type, e.dst_id);
  return {
    member,
    other,
    profiles,
    isMemberNode,
    touchesMember,
    // Members' own rows: edges out of accounts and profiles, account and profile nodes. Shared
    // nodes (devices, titles) keep the member's observations committed before the forget.
    memberEdgesOfOthers: (edges: Iterable<OracleEdge>) => [...edges].filter((e) => ['account', 'profile'].includes(e.src_type) && !touchesMember(e)),
    memberNodesOfOthers: (nodes: Iterable<OracleNode>) => [...nodes].filter((n) => ['account', 'profile'].includes(n.node_type) && !isMemberNode(n.node_type, n.node_id)),
  };
}

/** PyIceberg and DuckDB iceberg_scan see no row of the member, and the other members' edges as `expected` has them. */
async function assertReadersForgot(args: readonly string[], expected: OracleResult, m: ReturnType<typeof membersOf>): Promise<void> {
  const views = await readGraphAggregates(args);
  for (const [reader, view] of Object.entries(views)) {
    assert.ok(view.edges.every(([edgeType, srcType, srcId, dstType, dstId]) => edgeType && !m.touchesMember({ src_type: srcType as string, src_id: srcId as string, dst_type: dstType as string, dst_id: dstId as string })), `${reader}: no edge of the member`);
    assert.ok(view.nodes.every(([type, id]) => !m.isMemberNode(type, id as string)), `${reader}: no node of the member`);
    const edges = new Map(view.edges.map((row) => [JSON.stringify(row.slice(0, 5)), row.slice(5).map(Number)]));
    for (const e of m.memberEdgesOfOthers(expected.edges.values())) assert.deepEqual(edges.get(edgeKey(e)), [e.first_seen * 1000, e.last_seen * 1000, e.event_count], `${reader}: edge ${edgeKey(e)}`);
  }
}

function playEvent(id: string, account: string, profile: string, title: string): { key: Buffer; value: Buffer } {
  const event = { event_id: id, event_type: 'play_start', ts: Date.now(), account_id: account, profile_id: profile, device_id: `d-${id}`, title_id: title };
  return { key: Buffer.from(account), value: Buffer.from(JSON.stringify(event)) };
}

test('forget removes a member from every table and reader, keeps it out, and ingest goes on exactly once', { timeout: 120_000 }, async (t) => {
  const kafka = testKafka();
  await createTopic(kafka, TOPIC, PARTITIONS);
  const generated = new RecordGenerator({ events: EVENTS, seed: 16, topics: [CONTRACT], partitions: PARTITIONS, accounts: 30, lateDupShare: 0, maxOversize: 0 });
  assert.equal(await produceRecords(kafka, TOPIC, generated), EVENTS);
  const records = await readWholeTopic(kafka, TOPIC);
  const truth = oracle(records.map((r) => ({ ...r, topic: CONTRACT })));
  const m = membersOf(truth);
  const { member, other, profiles, isMemberNode, touchesMember, memberEdgesOfOthers, memberNodesOfOthers } = m;

  const warehouse = mkdtempSync(join(tmpdir(), 'lakegraph-forget-'));
  const catalog = new FilesystemCatalog(warehouse);
  const job = new TopicJob(TOPIC, await openGraphTables(catalog), { contract: CONTRACT });
  await job.reload();
  job.assign([...Array(PARTITIONS).keys()]);
  for (const r of slice(records, 0, 0.5)) job.process(r);
  await job.flush();
  for (const r of slice(records, 0.5, 0.7)) job.process(r);

  const hot: HotTailOptions = { kafka, topics: [{ topic: TOPIC, contract: CONTRACT }] };
  const sessions = [await QuerySession.open({ catalog, hot, edgeIndex: {} }), await QuerySession.open({ catalog, hot })];
  const activity = async (session: QuerySession, account: string) => {
    const parsed = parseGraphRequest('member-activity', { account, since: '100000d' }, Date.now());
    assert.ok(parsed.ok);
    return (await session.graphQuery(parsed.request)).edges;
  };
  try {
    for (const session of sessions) await session.catchUp(30_000);
    for (const session of sessions) assert.ok((await activity(session, member)).length > 0, 'before: the member is in snapshot ∪ tail');
    const otherBefore = await activity(sessions[0]!, other);

    // Dry run: counts, changes nothing.
    const snapshotIds = async () => Promise.all(TABLE_NAMES.map(async (name) => currentSnapshot(await catalog.loadTable({ namespace: [NAMESPACE], name }))?.['snapshot-id']));
    const before = await snapshotIds();
    const dry = await forgetAccount(catalog, member, { dryRun: true });
    assert.ok(dry.tables.edges.rowsRemoved > 0n && dry.tables.nodes.rowsRemoved > 0n, 'the dry run finds the member');
    assert.deepEqual(dry.profiles, [...profiles].filter((p) => dry.profiles.includes(p)).sort(), 'profiles found in the lake');
    assert.deepEqual(await snapshotIds(), before, 'a dry run commits nothing');
    assert.equal((await readForgottenAccounts(catalog, [NAMESPACE])).accounts.size, 0, 'nor lists the account');

    // The forget. While it plans graph.edges, the job commits the window it holds (the
    // member's events among them): the purge must plan again and take those rows too. While
    // it plans graph.nodes, a compaction replaces the files it rewrote: it must plan again
    // from the compacted files.
    const result = await forgetAccount(catalog, member, {
      dryRun: false,
      beforeCommit: async (table, plan) => {
        if (plan !== 1) return;
        if (table === 'edges') await job.flush();
        if (table === 'nodes') {
          const compaction = await runMaintenance(catalog, { tables: ['nodes'], targetFileBytes: 128 << 20, snapshotRetention: { olderThanMs: 86_400_000, keepLast: 100 }, orphanOlderThanMs: 86_400_000, dryRun: false });
          assert.ok(compaction.tables[0]!.rewrite.filesRewritten > 0, 'the compaction replaced files');
        }
      },
    });
    assert.ok(result.tables.edges.replans >= 1, 'the edges purge planned again after the concurrent append');
    assert.ok(result.tables.nodes.replans >= 1, 'the nodes purge planned again after the concurrent compaction');
    assert.deepEqual(new Set(result.profiles), profiles, 'every profile of the member was found');
    for (const name of TABLE_NAMES) {
      const metadata = await catalog.loadTable({ namespace: [NAMESPACE], name });
      const snapshot = currentSnapshot(metadata)!;
      assert.equal(snapshot.summary.operation, 'overwrite', `${name}: one overwrite commit`);
      const carried = carriedProperties(metadata);
      assert.ok(carried[FORGOTTEN_VERSION_PROPERTY], `${name}: the list version is recorded`);
      assert.ok(positionsOf(carried, TOPIC).offsets.size === PARTITIONS, `${name}: the Kafka offsets are carried through the forget`);
    }

    // A window read before the forget (the member's events in it) is not committed.
    for (const r of slice(records, 0.7, 0.85)) job.process(r);
    await assert.rejects(job.flush(), ForgottenAccountsChangedError);

    // Later events: the member's (and a bad record keyed by it) stay out, another member's land.
    const producer = kafka.producer();
    await producer.connect();
    const memberProfile = [...profiles][0]!;
    await producer.send({
      topic: TOPIC,
      messages: [
        { ...playEvent('late-member', member, memberProfile, 't-after-forget'), partition: 0 },
        { key: Buffer.from(member), value: Buffer.from('{"not": "an event"'), partition: 0 },
        { ...playEvent('late-other', other, 'p-late-other', 't-after-forget'), partition: 1 },
      ],
    });
    await producer.disconnect();
    const all = await readWholeTopic(kafka, TOPIC);
    const late = all.filter((r) => r.offset >= (records.filter((x) => x.partition === r.partition).length));
    assert.equal(late.length, 3);

    // Ingest resumes from the lake (replaying what it had read), as after a restart.
    await job.reload();
    const starts = job.assign([...Array(PARTITIONS).keys()]);
    for (const r of all) if (r.offset >= starts.get(r.partition)!) job.process(r);
    await job.flush();
    assert.ok(job.counters.forgotten >= 2, 'the member\'s replayed and later records were dropped as forgotten');
    const metrics = new IngestMetrics().render(TOPIC, job.counters);
    assert.match(metrics, new RegExp(`lakegraph_forgotten_total\\{topic="${TOPIC.replaceAll('.', '\\.')}"\\} ${job.counters.forgotten}`));
    // A fresh job replays from the lake's offsets too: nothing of the member comes back.
    const fresh = new TopicJob(TOPIC, await openGraphTables(catalog), { contract: CONTRACT });
    await fresh.reload();
    const freshStarts = fresh.assign([...Array(PARTITIONS).keys()]);
    for (const r of all) if (r.offset >= freshStarts.get(r.partition)!) fresh.process(r);
    await fresh.flush();

    // The expected graph, compared for the other members: every record not keyed by the member
    // (producers key by account; the member's rejected rows went with the forget).
    const expected = oracle(all.filter((r) => r.key?.toString() !== member).map((r) => ({ ...r, topic: CONTRACT })));
    const lake = await lakeAggregates(catalog);
    assert.equal(lake.rejected, expected.rejectedByTopic.get(CONTRACT) ?? 0, 'rejected rows: the member\'s bad records are not kept');
    for (const key of lake.edges.keys()) {
      const [, srcType, srcId, dstType, dstId] = JSON.parse(key) as string[];
      assert.ok(!touchesMember({ src_type: srcType!, src_id: srcId!, dst_type: dstType!, dst_id: dstId! }), `lake: edge ${key} of the member`);
    }
    for (const key of lake.nodes.keys()) assert.ok(!isMemberNode(...(JSON.parse(key) as [string, string])), `lake: node ${key} of the member`);
    for (const e of memberEdgesOfOthers(expected.edges.values())) assert.deepEqual(lake.edges.get(edgeKey(e)), [e.first_seen, e.last_seen, e.event_count], `lake: edge ${edgeKey(e)}`);
    for (const n of memberNodesOfOthers(expected.nodes.values())) assert.deepEqual(lake.nodes.get(nodeKey(n)), [n.first_seen, n.last_seen, n.event_count], `lake: node ${nodeKey(n)}`);
    assert.deepEqual(await endOffsets(kafka, TOPIC), positionsOf(carriedProperties(await catalog.loadTable({ namespace: [NAMESPACE], name: 'edges' })), TOPIC).offsets, 'every record is committed');

    await assertReadersForgot([warehouse], expected, m);

    // Running sessions drop the member within one refresh, from the snapshot and the hot tier.
    for (const session of sessions) {
      await session.refresh();
      await session.catchUp(30_000);
      assert.deepEqual(await activity(session, member), [], 'after: nothing of the member in snapshot ∪ tail');
      const otherAfter = await activity(session, other);
      assert.ok(otherAfter.length > otherBefore.length, 'the other member\'s later event is there');
    }
    const count = await sessions[1]!.query(async ({ connection }) => (await connection.runAndReadAll(
      `SELECT (SELECT count(*) FROM edges WHERE src_id = '${member}' OR src_id IN (${[...profiles].map((p) => `'${p}'`).join(', ')}) OR dst_id IN (${[...profiles].map((p) => `'${p}'`).join(', ')})) + (SELECT count(*) FROM nodes WHERE node_id = '${member}' OR node_id IN (${[...profiles].map((p) => `'${p}'`).join(', ')}))`,
    )).getRowsJS()[0]![0]);
    assert.equal(Number(count), 0, 'sql over the session views: no row of the member');

    // The CLI: a one-shot query over snapshot ∪ tail, and forget's usage errors.
    const query = await runCli(['query', 'member-activity', '--account', member, '--since', '100000d', '--json', '--warehouse', warehouse, '--brokers', BROKERS, '--topic', TOPIC, '--contract', CONTRACT]);
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout).edges, []);
    const again = await runCli(['forget', '--account', member, '--dry-run', '--json', '--warehouse', warehouse]);
    assert.equal(again.code, 0, again.stderr);
    const dryAgain = JSON.parse(again.stdout) as { alreadyForgotten: boolean; tables: Record<string, { rowsRemoved: string | number }> };
    assert.equal(dryAgain.alreadyForgotten, true);
    for (const name of TABLE_NAMES) assert.equal(Number(dryAgain.tables[name]!.rowsRemoved), 0, `${name}: nothing of the member left`);
    const usage = await runCli(['forget', '--warehouse', warehouse]);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim().split('\n').length, 1, usage.stderr);
  } catch (error) {
    t.diagnostic(`kept the warehouse in ${warehouse}`);
    throw error;
  } finally {
    for (const session of sessions) await session.close();
  }
  rmSync(warehouse, { recursive: true, force: true });
});

test('forget through the REST catalog with the tables in the object store', { timeout: 120_000 }, async () => {
  await assertListening(new URL(CATALOG_URI).host);
  const namespace = `graph_it_forget_${randomBytes(4).toString('hex')}`;
  const generatorOptions = { events: 2_000, seed: 17, partitions: 2, accounts: 30, baseTs: Date.UTC(2026, 10, 26, 9) };
  const catalog = new RestCatalog({ uri: CATALOG_URI });
  const admin = new IcebergRestCatalog({ baseUrl: CATALOG_URI });
  try {
    await runEmbeddedPipeline({ catalog, namespace, generator: new RecordGenerator(generatorOptions), topics: TOPICS, partitions: 2, commitIntervalMs: 5_000 });
    const expected = oracle([...new RecordGenerator(generatorOptions)]);
    const m = membersOf(expected);
    const offsetsBefore = carriedProperties(await catalog.loadTable({ namespace: [namespace], name: 'edges' }));
    const result = await forgetAccount(catalog, m.member, { dryRun: false, namespace });
    assert.ok(result.tables.edges.rowsRemoved > 0n && result.tables.nodes.rowsRemoved > 0n);
    assert.match(result.tables.edges.affected[0]!.path, /^s3:\/\//, 'the rewritten files are in the object store');
    const after = carriedProperties(await catalog.loadTable({ namespace: [namespace], name: 'edges' }));
    for (const [key, value] of Object.entries(offsetsBefore)) assert.equal(after[key], value, `${key} carried through the forget`);
    assert.ok((await readForgottenAccounts(catalog, [namespace])).accounts.has(m.member));
    await assertReadersForgot(['--rest', CATALOG_URI, namespace], expected, m);
  } finally {
    for (const name of [...TABLE_NAMES, FORGOTTEN_TABLE_NAME]) await admin.dropTable({ namespace: [namespace], name }, { purge: true }).catch(() => {});
    await admin.dropNamespace({ namespace: [namespace] }).catch(() => {});
  }
});
