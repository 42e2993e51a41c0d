/**
 * One committer for a group, without Kafka: control messages survive their encoding,
 * several members' TopicJobs hand their windows to one GroupCommitter (through an
 * in-process channel standing in for the control topic) and the lake equals the oracle
 * with fewer snapshots than contributions; stale and repeated contributions land once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Table } from '../../src/lake/table/table.js';
import { NAMESPACE } from '../../src/lake/tables.js';
import { commitContributions } from '../../src/stream/commit/commit-contributions.js';
import { assertCommitted, type Contribution, type ContributionOutcome } from '../../src/stream/commit/contribution.js';
import { decodeControlMessage, encodeControlMessage } from '../../src/stream/commit/control-message.js';
import { GroupCommitter } from '../../src/stream/commit/group-committer.js';
import type { TableCommitter } from '../../src/stream/commit/table-committer.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { openGraphTables } from '../../src/stream/job/graph-tables.js';
import { TopicJob } from '../../src/stream/job/topic-job.js';
import { assertLakeEqualsOracle } from '../support/ingest-harness.js';
import { answerLosingCatalog, edgeDataFile, scratchCatalogs } from './lake-fixtures.js';

const TOPIC = 'app.playback';
const newCatalog = await scratchCatalogs('group-committer-');

const contribution = (id: string, fence: Map<number, number>, next: Map<number, number>, files = [edgeDataFile(`/data/${id}.parquet`, [20_000, 1], 5n)]): Contribution => ({
  id,
  topic: TOPIC,
  table: 'edges',
  files,
  positions: { offsets: next, replay: next },
  fence,
  forgottenVersion: '',
  source: 'kafka:test',
});

test('a contribution and an outcome come back from their bytes as they were sent', () => {
  const sent = contribution('c1', new Map([[0, 10]]), new Map([[0, 20], [3, 7]]), [edgeDataFile('/data/x.parquet', [20_000, 3], 2n ** 40n)]);
  const message = { kind: 'contribution', group: 'g', contribution: sent } as const;
  assert.deepEqual(decodeControlMessage(encodeControlMessage(message)), message);
  const outcome = { kind: 'outcome', group: 'g', id: 'c1', outcome: { kind: 'committed', snapshotId: 2n ** 62n + 1n } } as const;
  assert.deepEqual(decodeControlMessage(encodeControlMessage(outcome)), outcome);
  assert.equal(decodeControlMessage(Buffer.from('not json')), undefined);
  assert.equal(decodeControlMessage(Buffer.from('{"kind":"contribution","group":"g"}')), undefined);
});

test('contributions land together in order; one whose fence moved is refused, the rest land', async () => {
  const tables = await openGraphTables(newCatalog());
  const outcomes = await commitContributions(tables.edges, [
    contribution('a', new Map(), new Map([[0, 10]])),
    contribution('b', new Map([[0, 10]]), new Map([[0, 25]])), // follows a
    contribution('c', new Map([[1, 4]]), new Map([[1, 9]])), // partition 1 holds no offset yet
    contribution('d', new Map(), new Map([[2, 5]])),
    { ...contribution('e', new Map(), new Map([[3, 5]])), forgottenVersion: 'purged-since' },
  ]);
  assert.deepEqual([...outcomes].map(([id, o]) => `${id}:${o.kind}`), ['c:fenced', 'e:forgotten', 'a:committed', 'b:committed', 'd:committed']);
  const metadata = await tables.edges.refresh();
  assert.equal(metadata.snapshots?.length, 1, 'one snapshot for all that landed');
  assert.equal(metadata.snapshots![0]!.summary['lakegraph.offsets.app.playback'], '{"0":25,"2":5}');
  assert.equal(metadata.snapshots![0]!.summary['added-data-files'], '3');
  // Offered again (a second committer, a re-read control topic): its fence no longer holds.
  const again = await commitContributions(tables.edges, [contribution('a', new Map(), new Map([[0, 10]]))]);
  assert.equal(again.get('a')?.kind, 'fenced');
});

test('three members hand their windows to one committer: lake = oracle, at most one snapshot per table and interval', async () => {
  const catalog = newCatalog();
  const intervalMs = 150;
  const waiting = new Map<string, (outcome: ContributionOutcome) => void>();
  let contributions = 0;
  const committer = new GroupCommitter({
    tables: await openGraphTables(catalog),
    intervalMs,
    maxAgeMs: 60_000,
    publish: async (id, outcome) => {
      committer.answered(id);
      waiting.get(id)?.(outcome);
    },
    log: () => {},
  });
  committer.setActive(true);
  // The control topic, in process: every member's contribution reaches the one committer.
  const channel: TableCommitter = {
    async commit(c) {
      contributions++;
      const answered = new Promise<ContributionOutcome>((resolve) => waiting.set(c.id, resolve));
      committer.offer(c, Date.now());
      committer.offer(c, Date.now()); // read twice: kept once
      assertCommitted(await answered);
    },
  };
  const records = [...new RecordGenerator({ events: 6_000, seed: 31, topics: [TOPIC], partitions: 3, dupRatio: 0.05, badRatio: 0.01 })];
  const started = Date.now();
  await Promise.all(
    [0, 1, 2].map(async (partition) => {
      const job = new TopicJob(TOPIC, await openGraphTables(catalog), { committer: channel, limits: { maxEdgeRows: 300, maxRejectedBytes: 1 << 20, idleTableCommitMs: 0 } });
      await job.reload();
      job.assign([partition]);
      for (const record of records) {
        if (record.partition !== partition) continue;
        job.process(record);
        if (job.isFull()) await job.flush();
      }
      await job.flush();
    }),
  );
  const elapsedMs = Date.now() - started;
  await committer.close();
  await assertLakeEqualsOracle(catalog, TOPIC, records);
  const snapshots = (await Table.load(catalog, { namespace: [NAMESPACE], name: 'edges' })).metadata.snapshots ?? [];
  assert.ok(contributions > 3 * 3, `each member contributed several windows (${contributions} contributions)`);
  assert.ok(snapshots.length <= elapsedMs / intervalMs + 1, `${snapshots.length} edges snapshots in ${elapsedMs} ms: at most one per ${intervalMs} ms`);
  assert.equal(committer.commits.get('edges'), snapshots.length);
});

test('a commit whose outcome is lost is answered failed; offered again after it landed, it is fenced', async () => {
  const catalog = newCatalog();
  await openGraphTables(catalog);
  const published = new Map<string, ContributionOutcome>();
  const committer = new GroupCommitter({
    tables: await openGraphTables(answerLosingCatalog(catalog)),
    intervalMs: 10,
    maxAgeMs: 60_000,
    publish: async (id, outcome) => void published.set(id, outcome),
    log: () => {},
  });
  committer.setActive(true);
  committer.offer(contribution('lost', new Map(), new Map([[0, 10]])), Date.now());
  while (!published.has('lost')) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(published.get('lost')?.kind, 'failed');
  // It did land: the member re-reads from the lake's offsets; the same contribution offered again cannot land twice.
  const again = await commitContributions((await openGraphTables(catalog)).edges, [contribution('lost', new Map(), new Map([[0, 10]]))]);
  assert.equal(again.get('lost')?.kind, 'fenced');
  await committer.close();
});

test('contributions older than the outcome timeout are dropped unanswered; a committer that is not active commits nothing', async () => {
  const published: string[] = [];
  const committer = new GroupCommitter({ tables: await openGraphTables(newCatalog()), intervalMs: 10, maxAgeMs: 1_000, publish: async (id) => void published.push(id), log: () => {} });
  committer.offer(contribution('old', new Map(), new Map([[0, 1]])), Date.now() - 5_000);
  committer.offer(contribution('fresh', new Map(), new Map([[1, 1]])), Date.now());
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(published, [], 'inactive');
  committer.setActive(true);
  while (published.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(published, ['fresh']);
  await committer.close();
});
