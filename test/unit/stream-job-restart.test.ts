/**
 * TopicJob exactly-once across restarts, on a real filesystem warehouse: a job that
 * dies at any flush point (here: by throwing there) is replaced by a fresh one that
 * resumes from the snapshot positions, rebuilds dedup state by replay, and the tables
 * end up equal to the oracle — also when only some of the three tables had committed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { QuerySession } from '../../src/query/query-session.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { TopicJob, type FlushPoint } from '../../src/stream/job/topic-job.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { edgeKey, nodeKey, oracle } from '../support/oracle.js';

const TOPIC = 'app.playback';
const PARTITIONS = [0, 1, 2];

class Crash extends Error {}

/** Runs a fresh job over the records it asks for, crashing at the `crashAt`-th flush point if given. */
async function runJob(
  catalog: FilesystemCatalog,
  records: readonly SourceRecord[],
  stopAfter: number,
  crashAt?: { point: FlushPoint; nth: number },
  pipelined = false,
): Promise<boolean> {
  let seen = 0;
  const job = new TopicJob(TOPIC, await openGraphTables(catalog), {
    limits: { maxEdgeRows: 2_000, maxRejectedBytes: 1 << 20, idleTableCommitMs: 0 },
    onFlushPoint: (point) => {
      if (crashAt && point === crashAt.point && ++seen === crashAt.nth) throw new Crash(point);
    },
  });
  await job.reload();
  const starts = job.assign(PARTITIONS);
  let fed = 0;
  try {
    for (const record of records) {
      if (record.offset < starts.get(record.partition)!) continue;
      if (fed++ >= stopAfter) break;
      job.process(record);
      if (!job.isFull()) continue;
      // Pipelined: keep processing while the flush runs; a failure surfaces at the next flush.
      if (pipelined) job.flush().catch(() => {});
      else await job.flush();
    }
    await job.flush();
    return true;
  } catch (err) {
    if (err instanceof Crash) return false;
    throw err;
  }
}

async function tableAggregates(catalog: FilesystemCatalog) {
  const session = await QuerySession.open({ catalog });
  try {
    const read = (sql: string) => session.query(async ({ connection }) => (await connection.runAndReadAll(sql)).getRowsJS());
    const edges = new Map<string, number[]>();
    for (const [t, st, s, dt, d, f, l, c] of await read(
      'SELECT edge_type, src_type, src_id, dst_type, dst_id, epoch_ms(min(first_seen)), epoch_ms(max(last_seen)), sum(event_count)::BIGINT FROM edges GROUP BY ALL',
    )) {
      edges.set(edgeKey({ edge_type: t as string, src_type: st as string, src_id: s as string, dst_type: dt as string, dst_id: d as string }), [Number(f), Number(l), Number(c)]);
    }
    const nodes = new Map<string, number[]>();
    for (const [t, id, f, l, c] of await read('SELECT node_type, node_id, epoch_ms(min(first_seen)), epoch_ms(max(last_seen)), sum(event_count)::BIGINT FROM nodes GROUP BY ALL')) {
      nodes.set(nodeKey({ node_type: t as string, node_id: id as string }), [Number(f), Number(l), Number(c)]);
    }
    const [[rejected]] = await read('SELECT count(*) FROM rejected_events');
    return { edges, nodes, rejected: Number(rejected) };
  } finally {
    await session.close();
  }
}

async function assertEqualsOracle(catalog: FilesystemCatalog, records: readonly SourceRecord[]): Promise<void> {
  const expected = oracle(records);
  const actual = await tableAggregates(catalog);
  assert.equal(actual.edges.size, expected.edges.size, 'distinct edges');
  for (const [key, e] of expected.edges) assert.deepEqual(actual.edges.get(key), [e.first_seen, e.last_seen, e.event_count], `edge ${key}`);
  assert.equal(actual.nodes.size, expected.nodes.size, 'distinct nodes');
  for (const [key, n] of expected.nodes) assert.deepEqual(actual.nodes.get(key), [n.first_seen, n.last_seen, n.event_count], `node ${key}`);
  assert.equal(actual.rejected, [...expected.rejectedByTopic.values()].reduce((a, b) => a + b, 0), 'rejected rows');
}

function generate(): SourceRecord[] {
  // Many duplicates, a short horizon's worth of jitter, and bad records: restarts must neither drop nor double them.
  return [...new RecordGenerator({ events: 12_000, seed: 3, topics: [TOPIC], partitions: PARTITIONS.length, dupRatio: 0.15, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: Date.UTC(2026, 0, 1) })];
}

const CRASHES: Array<{ point: FlushPoint; nth: number }> = [
  { point: 'before-parquet', nth: 3 },
  { point: 'after-data-files', nth: 4 },
  { point: 'before-commit', nth: 5 },
  // Edges committed, nodes and rejected not yet: the restart must fill only those.
  { point: 'after-commit', nth: 1 },
  { point: 'after-commit', nth: 7 },
];

for (const crashAt of CRASHES) {
  test(`restart after a crash at ${crashAt.point} #${crashAt.nth} is exactly-once`, async () => {
    const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-restart-'));
    try {
      const catalog = new FilesystemCatalog(warehouse);
      const records = generate();
      assert.equal(await runJob(catalog, records, Infinity, crashAt), false, 'the job crashed');
      assert.equal(await runJob(catalog, records, Infinity), true);
      await assertEqualsOracle(catalog, records);
    } finally {
      await rm(warehouse, { recursive: true, force: true });
    }
  });
}

for (const crashAt of [undefined, { point: 'before-commit' as const, nth: 4 }]) {
  test(`flushes running while the job keeps processing stay exactly-once${crashAt ? ', also when one fails' : ''}`, async () => {
    const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-restart-'));
    try {
      const catalog = new FilesystemCatalog(warehouse);
      const records = generate();
      assert.equal(await runJob(catalog, records, Infinity, crashAt, true), crashAt === undefined);
      if (crashAt) assert.equal(await runJob(catalog, records, Infinity), true);
      await assertEqualsOracle(catalog, records);
    } finally {
      await rm(warehouse, { recursive: true, force: true });
    }
  });
}

test('a job stopped and restarted several times resumes from the snapshot and rebuilds dedup state', async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-restart-'));
  try {
    const catalog = new FilesystemCatalog(warehouse);
    const records = generate();
    for (let i = 0; i < 4; i++) await runJob(catalog, records, 2_500);
    await runJob(catalog, records, Infinity);
    await assertEqualsOracle(catalog, records);
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});

test('reassign keeps the partitions that stay where they were, and starts over one another job committed meanwhile', async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-restart-'));
  try {
    const catalog = new FilesystemCatalog(warehouse);
    const records = generate();
    const open = async () => {
      const job = new TopicJob(TOPIC, await openGraphTables(catalog), { limits: { maxEdgeRows: 1 << 30, maxRejectedBytes: 1 << 30, idleTableCommitMs: 0 } });
      await job.reload();
      return job;
    };
    /** Feeds `job` each record of `partitions` from its start up to `until` (exclusive), then commits. */
    const feed = async (job: TopicJob, starts: ReadonlyMap<number, number>, until: number) => {
      for (const record of records) if (record.offset >= starts.get(record.partition)! && record.offset < until) job.process(record);
      await job.flush();
    };
    const a = await open();
    await feed(a, a.assign(PARTITIONS), 1_500);
    // Another job takes partition 1 (a stray member, say) and commits it further while `a` still thinks it holds it.
    const b = await open();
    const taken = await b.reassign([1]);
    assert.ok(taken.get(1)! < 1_500, 'the taker replays what the dedup horizon needs');
    await feed(b, taken, 2_500);
    const starts = await a.reassign(PARTITIONS);
    assert.equal(starts.get(0), 1_500, 'kept: read on from where it was, nothing re-read');
    assert.equal(starts.get(2), 1_500);
    assert.ok(starts.get(1)! < 2_500, 'committed by another job meanwhile: starts over from the lake');
    await feed(a, starts, Infinity);
    await assertEqualsOracle(catalog, records);
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
