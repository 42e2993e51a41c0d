/**
 * `lakegraph ingest` while its broker is stopped and restarted mid-stream: the process
 * outlives the outage, reads the rest, and the lake equals the oracle.
 *
 * The broker is the test's own (infra/local/up with a private state directory and free
 * ports), so the shared broker of CONTRACTS §5, which other tests and people use, never
 * goes down. Every wait has a deadline that names what it waited for.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { assertLakeEqualsOracle, createTopic, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { PrivateBroker, step } from '../support/private-broker.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 0, 1);

let broker: PrivateBroker | undefined;
let passed = false;
// Also after a failed or timed-out test: the broker runs detached and would outlive the file.
after(async () => {
  if (broker === undefined) return;
  await broker.down();
  if (passed) await rm(broker.stateDir, { recursive: true, force: true });
  else console.log(`kept the private broker's state and log in ${broker.stateDir}`);
});

// The deadlines below name the step that hangs; this one only ends the test before test/run.mjs ends the file (10 min).
test('broker stopped and restarted mid-stream: no loss, no duplicate', { timeout: 540_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  broker = await PrivateBroker.create();
  await broker.up();
  const kafka = testKafka(broker.address);
  const contract = 'app.games';
  const topic = uniqueName('it.broker.app.games');
  await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const records = [...new RecordGenerator({ events: 24_000, seed: 13, topics: [contract], partitions: PARTITIONS, dupRatio: 0.08, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: BASE_TS })];
  const half = records.length / 2;
  // The window is still open when the broker goes (commit interval) and DLQ sends are due
  // right after it is back; the process must neither exit nor lose its place.
  const ingest = startIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--commit-interval-ms', '1500', '--session-timeout-ms', '6000'], {}, log('ingest'), broker.address);
  try {
    await step('ingest printing "partitions assigned"', 60_000, ingest.waitFor('partitions assigned'));
    assert.equal(await step('producing the first half', 60_000, produceRecords(kafka, topic, records.slice(0, half))), half);
    await sleep(300);
    await broker.down();
    await sleep(2_000);
    await broker.up();
    assert.equal(ingest.child.exitCode, null, 'ingest outlived the broker restart');
    assert.equal(await step('producing the second half after the restart', 120_000, produceRecords(kafka, topic, records.slice(half))), records.length - half);
    await step('the lake committing every produced record', 150_000, waitUntilCommitted(kafka, warehouse, topic, 120_000));
    ingest.child.kill('SIGTERM');
    const end = await step('ingest exiting on SIGTERM', 60_000, ingest.exited);
    assert.equal(end.code, 0, `ingest stopped cleanly on SIGTERM:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
  } finally {
    ingest.child.kill('SIGKILL');
  }
  await step('reading the lake back', 120_000, assertLakeEqualsOracle(warehouse, contract, records));
  passed = true;
}));
