/**
 * `lakegraph ingest` while the broker is stopped and restarted mid-stream: the process
 * outlives the outage, reads the rest, and the lake equals the oracle.
 *
 * Not in the default run (test/run.mjs reads only test/unit and test/integration): after
 * the DLQ-send fix it passed twice, then timed out four times in a row, the last time with
 * the lake complete and the test process itself stuck after producing the second half;
 * docs/INGEST.md ("Tests") has the details.
 * It also stops the shared broker, which every other test running at that moment sees.
 * Run it alone: `npx tsc -p . && node --test dist/test/flaky/ingest-broker-restart.test.js`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { assertLakeEqualsOracle, createTopic, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { REPO_ROOT } from '../support/services.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 0, 1);
const kafka = testKafka();

/** Runs an infra/local script (they serialise on a lock, so other engineers' up/down calls are safe). */
const infraLocal = (script: 'up' | 'down', ...args: string[]) => promisify(execFile)(join(REPO_ROOT, 'infra', 'local', script), args);

test('broker stopped and restarted mid-stream: no loss, no duplicate', { timeout: 180_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const contract = 'app.games';
  const topic = uniqueName('it.broker.app.games');
  await createTopic(kafka, topic, PARTITIONS);
  const records = [...new RecordGenerator({ events: 24_000, seed: 13, topics: [contract], partitions: PARTITIONS, dupRatio: 0.08, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: BASE_TS })];
  const half = records.length / 2;
  // The window is still open when the broker goes (commit interval) and DLQ sends are due
  // right after it is back; the process must neither exit nor lose its place.
  const ingest = startIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--commit-interval-ms', '1500', '--session-timeout-ms', '6000'], {}, log('ingest'));
  try {
    await ingest.waitFor('partitions assigned');
    assert.equal(await produceRecords(kafka, topic, records.slice(0, half)), half);
    await sleep(300);
    try {
      await infraLocal('down', 'kafka');
      await sleep(2_000);
    } finally {
      await infraLocal('up');
    }
    assert.equal(ingest.child.exitCode, null, 'ingest outlived the broker restart');
    assert.equal(await produceRecords(kafka, topic, records.slice(half)), records.length - half);
    await waitUntilCommitted(kafka, warehouse, topic, 90_000);
    ingest.child.kill('SIGTERM');
    const end = await ingest.exited;
    assert.equal(end.code, 0, `ingest stopped cleanly on SIGTERM:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
  } finally {
    ingest.child.kill('SIGKILL');
  }
  await assertLakeEqualsOracle(warehouse, contract, records);
}));
