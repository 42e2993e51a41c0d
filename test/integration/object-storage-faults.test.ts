/**
 * `lakegraph ingest` on the REST catalog with its warehouse in the object store, while
 * first the catalog is stopped for 10 s and then the object store is paused (SIGSTOP) for
 * 10 s, both mid-stream: the job keeps its window, retries, commits once each service is
 * back, exits 0 at the end, and the lake equals the oracle. A wrong secret is refused in
 * one line naming the bucket and key. The catalog and the store are the test's own
 * (test/support/private-services.ts); the broker is the shared one.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { runCli } from '../support/cli-process.js';
import { assertLakeEqualsOracle, createTopic, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { PrivateServices, step } from '../support/private-services.js';

const PARTITIONS = 4;
const OUTAGE_MS = 10_000;

let services: PrivateServices | undefined;
let passed = false;
after(async () => {
  if (services === undefined) return;
  // A paused store would keep down from stopping it.
  await services.pidOf('object-store').then((pid) => process.kill(pid, 'SIGCONT')).catch(() => {});
  await services.down('rest-catalog', 'object-store');
  if (passed) await services.remove();
  else console.log(`kept the private services' state and logs in ${services.stateDir}`);
});

test('ingest on REST + S3 rides through a 10 s catalog stop and a 10 s store pause; no loss, no duplicate', { timeout: 540_000 }, (t) => withScratch(t, async ({ log }) => {
  services = await PrivateServices.create();
  await services.up('object-store', 'rest-catalog');
  const { env: s3, catalog: lake } = services.lake();

  const kafka = testKafka();
  const contract = 'app.ads';
  const topic = uniqueName('it.s3faults.app.ads');
  await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const records = [...new RecordGenerator({ events: 24_000, seed: 17, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: Date.UTC(2026, 0, 2) })];
  const third = records.length / 3;

  const ingest = startIngest(['--topic', topic, '--contract', contract, '--catalog-uri', services.catalogUri, '--commit-interval-ms', '1000'], s3, log('ingest'));
  try {
    await step('ingest printing "partitions assigned"', 60_000, ingest.waitFor('partitions assigned'));
    await produceRecords(kafka, topic, records.slice(0, third));
    await step('the first third committed', 120_000, waitUntilCommitted(kafka, lake, topic, 100_000));

    await services.down('rest-catalog');
    await produceRecords(kafka, topic, records.slice(third, 2 * third));
    await sleep(OUTAGE_MS);
    assert.equal(ingest.child.exitCode, null, 'ingest outlived the catalog stop');
    await services.up('rest-catalog');
    await step('the second third committed after the catalog came back', 120_000, waitUntilCommitted(kafka, lake, topic, 100_000));

    const store = await services.pidOf('object-store');
    process.kill(store, 'SIGSTOP');
    try {
      await produceRecords(kafka, topic, records.slice(2 * third));
      await sleep(OUTAGE_MS);
      assert.equal(ingest.child.exitCode, null, 'ingest outlived the store pause');
    } finally {
      process.kill(store, 'SIGCONT');
    }
    await step('every record committed after the store came back', 150_000, waitUntilCommitted(kafka, lake, topic, 140_000));
    ingest.child.kill('SIGTERM');
    const end = await step('ingest exiting on SIGTERM', 60_000, ingest.exited);
    assert.equal(end.code, 0, `ingest stopped cleanly:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
    assert.match(end.stderr, /REST catalog at .* is unreachable.*retrying for up to 300 s/, 'said it was waiting for the catalog');
  } finally {
    ingest.child.kill('SIGKILL');
  }
  await step('reading the lake back', 120_000, assertLakeEqualsOracle(lake, contract, records));

  const refused = await runCli(['status', '--catalog-uri', services.catalogUri], { ...s3, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
  assert.equal(refused.code, 1, refused.stderr);
  const lines = refused.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${refused.stderr}`);
  assert.match(lines[0]!, /403.*s3:\/\/lakegraph\/warehouse\/|s3:\/\/lakegraph\/warehouse\/.*403/, 'names the bucket, the key and the refusal');
  passed = true;
}));
