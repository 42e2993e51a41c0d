/**
 * `lakegraph serve` whatever state Kafka is in (issue 15). Before, with the broker
 * unreachable at start it answered nothing, not even /healthz, while kafkajs retried for a
 * minute; and with its broker stopped it outlived SIGTERM by seconds. Now it serves the
 * snapshot at once, /healthz says the tail is down, the tail catches up when Kafka comes
 * back, and SIGTERM ends it within two seconds with the broker up or down.
 *
 * The broker that comes and goes is the test's own (test/support/private-services.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import type { HotTailOptions } from '../../src/query/query-session.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { startServe, type ServeProcess } from '../support/cli-process.js';
import { createTopic, testKafka, uniqueName } from '../support/ingest-harness.js';
import { serveMemberActivity, sessionMemberActivity } from '../support/member-activity-answers.js';
import { freePorts, PrivateServices, step } from '../support/private-services.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 0, 1);
/** Every event of both the snapshot and the tail is in this window. */
const WINDOW = { at: '2026-01-02T00:00:00Z', since: '30d' };
const ACCOUNTS = ['a-1', 'a-2', 'a-3', 'a-5', 'a-8', 'a-13'];
const PROMPT_EXIT_MS = 2_000;

let dir: string;
let warehouse: string;
let broker: PrivateServices | undefined;
let passed = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-serve-'));
  warehouse = join(dir, 'warehouse');
  await runEmbeddedPipeline({
    catalog: new FilesystemCatalog(warehouse),
    generator: new RecordGenerator({ events: 6_000, seed: 3, topics: TOPICS, partitions: PARTITIONS, spanMs: 30 * 60_000, baseTs: BASE_TS }),
    topics: TOPICS,
    partitions: PARTITIONS,
    commitIntervalMs: 1_000,
  });
});

// Also after a failed or timed-out test: the broker runs detached and would outlive the file.
after(async () => {
  await broker?.down();
  if (passed < 2) return console.log(`kept the warehouse and the private broker's state in ${dir}, ${broker?.stateDir}`);
  await rm(dir, { recursive: true, force: true });
  if (broker !== undefined) await rm(broker.stateDir, { recursive: true, force: true });
});

const startServeOnLake = (args: readonly string[]): Promise<ServeProcess> => startServe(['--warehouse', warehouse, ...args], {}, 30_000);

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  return (await response.json()) as T;
}

type TailState = { state: string; error?: string };
const tailState = async (serving: ServeProcess) => (await getJson<{ tail: TailState }>(`${serving.url}/healthz`)).tail;

async function waitForTail(serving: ServeProcess, state: string, ms: number): Promise<TailState> {
  return step(`/healthz saying the tail is ${state}`, ms, (async () => {
    for (;;) {
      const tail = await tailState(serving);
      if (tail.state === state) return tail;
      await sleep(100);
    }
  })());
}

/** What serve answers for each account, edges in a stable order. */
const answers = (serving: ServeProcess): Promise<string[][]> => serveMemberActivity(serving.url, ACCOUNTS, WINDOW);

/** The same from a session of the test's own (snapshot ∪ the whole tail when `hot` is given). */
const expectedAnswers = (hot?: HotTailOptions): Promise<string[][]> => sessionMemberActivity(warehouse, ACCOUNTS, WINDOW, hot);

async function stopPromptly(serving: ServeProcess, what: string): Promise<void> {
  const started = Date.now();
  serving.process.child.kill('SIGTERM');
  const end = await step(`serve exiting on SIGTERM (${what})`, 30_000, serving.process.exited);
  const tookMs = Date.now() - started;
  assert.equal(end.code, 0, `serve exits 0:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
  assert.ok(tookMs < PROMPT_EXIT_MS, `serve took ${tookMs} ms to exit on SIGTERM (${what})`);
}

test('broker unreachable at start: /healthz says the tail is down, queries answer from the snapshot, SIGTERM exits promptly', { timeout: 120_000 }, async () => {
  const [closedPort] = await freePorts(1);
  const started = Date.now();
  const serving = await startServeOnLake(['--brokers', `127.0.0.1:${closedPort}`]);
  const tail = await waitForTail(serving, 'down', 10_000);
  assert.match(tail.error ?? '', /ECONNREFUSED/);
  assert.deepEqual(await answers(serving), await expectedAnswers());
  assert.ok(Date.now() - started < 30_000, 'served the snapshot without waiting for Kafka');
  assert.ok((await answers(serving)).some((edges) => edges.length > 0), 'the accounts asked have edges in the snapshot');
  await stopPromptly(serving, 'broker never reachable');
  passed++;
});

test('broker comes up after serve: the tail catches up; broker stopped: SIGTERM still exits promptly', { timeout: 360_000 }, async () => {
  broker = await PrivateServices.create();
  const contract = 'app.playback';
  const topic = uniqueName('it.serve.app.playback');
  const serving = await startServeOnLake(['--brokers', broker.brokers, '--topic', topic, '--contract', contract]);
  await waitForTail(serving, 'down', 10_000);
  const snapshotOnly = await answers(serving);

  await broker.up('kafka');
  const kafka = testKafka(broker.brokers);
  await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const records = new RecordGenerator({ events: 4_000, seed: 11, topics: [contract], partitions: PARTITIONS, spanMs: 30 * 60_000, baseTs: BASE_TS + 60_000 });
  assert.equal(await step('producing to the private broker', 60_000, produceRecords(kafka, topic, records)), 4_000);
  await waitForTail(serving, 'live', 60_000);
  const expected = await step('a session of the test reading the whole tail', 90_000, expectedAnswers({ kafka, topics: [{ topic, contract }] }));
  assert.notDeepEqual(expected, snapshotOnly, 'the tail adds edges to the accounts asked');
  await step('serve answering from snapshot ∪ the whole tail', 60_000, (async () => {
    while (JSON.stringify(await answers(serving)) !== JSON.stringify(expected)) await sleep(250);
  })());

  await broker.down('kafka');
  await waitForTail(serving, 'down', 30_000);
  await stopPromptly(serving, 'broker stopped');
  passed++;
});
