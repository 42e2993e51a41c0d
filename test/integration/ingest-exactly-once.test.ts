/**
 * `lakegraph ingest` against the real broker: SIGKILLed at every flush point and during a
 * rebalance, restarted each time, the lake still equals the oracle exactly; likewise with
 * a group member killed mid-stream and with five topics' jobs committing into the same
 * tables at once. Bad input of every kind ends up in the DLQ topic and
 * graph.rejected_events, accepted + rejected = produced. (The broker restart scenario is
 * ingest-broker-restart.test.ts, on a broker of its own.)
 *
 * A failing test keeps its warehouse and the ingest processes' logs and says where.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { before, test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '../../src/events/topics.js';
import { rejectionKindOf } from '../../src/events/rejection.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { TABLE_NAMES } from '../../src/lake/tables.js';
import { DLQ_HEADERS } from '../../src/stream/kafka/dlq-producer.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { dlqTopicOf } from '../../src/stream/kafka/topic-admin.js';
import {
  assertLakeEqualsOracle, assertLakeEqualsOracleOfTopics, BROKERS, committedOffsets, createTopic, endOffsets, lakeAggregates, readAndCommitted, runIngest, sourcePosition, startIngest,
  testKafka, uniqueName, withScratch,
} from '../support/ingest-harness.js';
import { oracle } from '../support/oracle.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 0, 1);
let kafka: Kafka;

before(async () => {
  kafka = testKafka();
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`no Kafka broker at ${BROKERS}; start one with infra/local/up (${(error as Error).message})`);
  } finally {
    await admin.disconnect();
  }
});


test('crash matrix: SIGKILL at each flush point and during a rebalance, restart, lake equals the oracle', { timeout: 240_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const contract = 'app.playback';
  const topic = uniqueName('it.crash.app.playback');
  await createTopic(kafka, topic, PARTITIONS);
  const records = [
    ...new RecordGenerator({ events: 28_000, seed: 5, topics: [contract], partitions: PARTITIONS, dupRatio: 0.1, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: BASE_TS }),
  ];
  const crashes = [
    'during-parquet:1',
    'after-data-files:2', // edges' files written, nodes' not: restart must not double edges
    'during-commit:1',
    'before-commit:3', // edges and nodes committed, rejected_events not
    'after-commit:1', // only edges committed
    'after-commit:3', // all three committed, group offsets not
  ];
  const chunk = Math.ceil(records.length / (crashes.length + 2));
  let produced = 0;
  const produceNext = async () => {
    const slice = records.slice(produced, produced + chunk);
    produced += await produceRecords(kafka, topic, slice);
  };
  const args = (group: string, extra: string[] = []) => [
    '--topic', topic, '--contract', contract, '--warehouse', warehouse, '--group', group,
    '--commit-interval-ms', '400', '--exit-when-idle-ms', '3000', '--session-timeout-ms', '6000', ...extra,
  ];

  for (const crash of crashes) {
    await produceNext();
    // A fresh group each time: where reading starts must come from the lake, not the group.
    await runIngest(args(uniqueName('g')), { killedBy: 'SIGKILL' }, { LAKEGRAPH_TEST_CRASH_AT: crash }, log(crash.replace(':', '@')));
  }

  // During a rebalance: A holds a window when B joins, commits it as the rebalance starts, and dies on its new assignment.
  await produceNext();
  const group = uniqueName('g-rebalance');
  const a = startIngest(args(group, ['--commit-interval-ms', '600000']), { LAKEGRAPH_TEST_CRASH_AT: 'assignment:2' }, log('rebalance-a'));
  await a.waitFor('partitions assigned');
  await sleep(1_500);
  const b = startIngest(args(group), {}, log('rebalance-b'));
  const aEnd = await a.exited;
  assert.equal(aEnd.signal, 'SIGKILL', `A was killed at its second assignment:\n${aEnd.stdout.slice(-3000)}`);
  const bEnd = await b.exited;
  assert.equal(bEnd.code, 0, `B took over and finished:\n${bEnd.stdout.slice(-3000)}\n${bEnd.stderr.slice(-2000)}`);

  while (produced < records.length) await produceNext();
  await runIngest(args(uniqueName('g')), { exit: 0 }, {}, log('final'));
  await assertLakeEqualsOracle(warehouse, contract, records);
}));

test('two members of one group on 4 partitions, one SIGKILLed mid-way: every event exactly once', { timeout: 120_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const contract = 'app.ads';
  const topic = uniqueName('it.group.app.ads');
  await createTopic(kafka, topic, PARTITIONS);
  const records = [...new RecordGenerator({ events: 30_000, seed: 8, topics: [contract], partitions: PARTITIONS, dupRatio: 0.08, badRatio: 0.01, spanMs: 30 * 60_000, baseTs: BASE_TS })];
  const group = uniqueName('g-pair');
  // B must not go idle on its own partitions before A's session times out and they move to it.
  const args = ['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--group', group, '--commit-interval-ms', '300', '--exit-when-idle-ms', '10000', '--session-timeout-ms', '6000'];
  const a = startIngest(args, {}, log('a'));
  const b = startIngest(args, {}, log('b'));
  await Promise.all([a.waitFor('partitions assigned'), b.waitFor('partitions assigned')]);
  // Produced at a steady rate so both members are mid-stream when A dies.
  const producing = produceRecords(kafka, topic, records, { rate: 10_000 });
  await sleep(1_500);
  a.child.kill('SIGKILL');
  assert.equal(await producing, records.length);
  const [aEnd, bEnd] = await Promise.all([a.exited, b.exited]);
  assert.equal(aEnd.signal, 'SIGKILL');
  assert.equal(bEnd.code, 0, `B finished:\n${bEnd.stdout.slice(-3000)}\n${bEnd.stderr.slice(-2000)}`);
  await assertLakeEqualsOracle(warehouse, contract, records);
}));

test('five topics, five jobs committing into the same tables at once: all correct, no lost commit', { timeout: 120_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const sources = TOPICS.map((contract, i) => ({
    contract,
    topic: uniqueName(`it.five.${contract}`),
    records: [...new RecordGenerator({ events: 8_000, seed: 20 + i, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: BASE_TS })],
  }));
  for (const { topic } of sources) await createTopic(kafka, topic, PARTITIONS);
  await Promise.all(sources.map(({ topic, records }) => produceRecords(kafka, topic, records)));
  // A short commit interval and all five at once: most commits race another topic's.
  const runs = sources.map(({ topic, contract }) =>
    runIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--commit-interval-ms', '100', '--exit-when-idle-ms', '3000'], { exit: 0 }, {}, log(contract)),
  );
  await Promise.all(runs);
  await assertLakeEqualsOracleOfTopics(warehouse, sources);
  for (const { topic } of sources) {
    assert.deepEqual(await readAndCommitted(warehouse, topic), await endOffsets(kafka, topic), `the lake's offsets of ${topic} reach the end`);
    // Carried forward over the other topics' commits: every table's current snapshot knows every partition of every topic.
    for (const table of TABLE_NAMES) assert.equal((await committedOffsets(warehouse, table, topic)).size, PARTITIONS, `${table} offsets of ${topic}`);
  }
}));

interface DlqRecord {
  readonly value: Buffer;
  readonly reason: string;
  readonly position: string;
}

async function readTopic(topic: string, count: number): Promise<DlqRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
  const out: DlqRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} records from ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => String(message.headers?.[name]);
          const position = sourcePosition(header(DLQ_HEADERS.topic), Number(header(DLQ_HEADERS.partition)), Number(header(DLQ_HEADERS.offset)));
          out.push({ value: message.value!, reason: header(DLQ_HEADERS.reason), position });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

test('bad input of every kind: all in the DLQ topic and rejected_events, accepted + rejected = produced', { timeout: 120_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const contract = 'app.session';
  const topic = uniqueName('it.bad.app.session');
  const events = 20_000;
  const options = { events, seed: 11, dupRatio: 0.03, badRatio: 0.07 };
  const generated = await promisify(execFile)(process.execPath, [
    join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js'), 'generate', '--topic', topic, '--contract', contract, '--brokers', BROKERS,
    '--events', String(events), '--seed', String(options.seed), '--dup-ratio', String(options.dupRatio), '--bad-ratio', String(options.badRatio),
    '--partitions', String(PARTITIONS), '--base-ts', String(BASE_TS),
  ]);
  assert.equal(JSON.parse(generated.stdout.trim().split('\n').at(-1)!).records, events);
  const records = [...new RecordGenerator({ ...options, topics: [contract], partitions: PARTITIONS, baseTs: BASE_TS })];
  const expected = oracle(records.map((r) => ({ topic: contract, partition: r.partition, value: r.value })));
  for (const kind of ['not_json', 'not_object', 'invalid_field', 'unknown_event_type']) {
    assert.ok((expected.rejectedByTopicAndKind.get(`${contract} ${kind}`) ?? 0) >= events / 100, `≥1% ${kind}`);
  }
  assert.ok((expected.rejectedByTopicAndKind.get(`${contract} oversize`) ?? 0) >= 1, 'oversize records present');

  const stdout = await runIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--exit-when-idle-ms', '3000'], { exit: 0 }, {}, log('ingest'));
  const stopped = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === 'ingest stopped');
  assert.equal(stopped.records, events);
  assert.equal(stopped.accepted + stopped.rejected, events, 'accepted + rejected = produced');
  await assertLakeEqualsOracle(warehouse, contract, records);

  const rejectedTotal = expected.rejectedByTopic.get(contract)!;
  const dlq = await readTopic(dlqTopicOf(topic), rejectedTotal);
  assert.equal(dlq.length, rejectedTotal, 'one DLQ record per reject');
  const lake = await lakeAggregates(warehouse);
  assert.deepEqual(new Set(dlq.map((d) => d.position)), new Set(lake.rejectedPositions), 'DLQ and rejected_events hold the same records');
  const byPosition = new Map(records.map((r) => [sourcePosition(topic, r.partition, r.offset), r]));
  const kinds = new Map<string, number>();
  for (const d of dlq) {
    assert.deepEqual(new Uint8Array(d.value), byPosition.get(d.position)!.value, `DLQ ${d.position} holds the original bytes`);
    const kind = rejectionKindOf(d.reason);
    kinds.set(`${contract} ${kind}`, (kinds.get(`${contract} ${kind}`) ?? 0) + 1);
  }
  assert.deepEqual(kinds, expected.rejectedByTopicAndKind, 'rejections by kind');
}));
