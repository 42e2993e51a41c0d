/**
 * Issue 13: one committer per topic job. Four `lakegraph ingest --committer group` members
 * share one 8-partition topic with a 250 ms commit interval; the committer (the member
 * holding partition 0) and another member are SIGKILLed mid-stream and restarted. The lake
 * equals the oracle, and each table got at most about one snapshot per interval over the
 * run, not one per member and interval.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { Table } from '../../src/lake/table/table.js';
import { NAMESPACE, TABLE_NAMES } from '../../src/lake/tables.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { assertLakeEqualsOracle, createTopic, startIngest, testKafka, uniqueName, withScratch, type IngestRun } from '../support/ingest-harness.js';

const PARTITIONS = 8;
const INTERVAL_MS = 250;
const MEMBERS = 4;
let kafka: Kafka;

before(() => {
  kafka = testKafka();
});

const COMMITTING = 'committing for the group';

test('four members, one committer: the committer and another member SIGKILLed and restarted; lake = oracle, about one snapshot per table and interval', { timeout: 180_000 }, (t) =>
  withScratch(t, async ({ warehouse, log }) => {
    const contract = 'app.playback';
    const topic = uniqueName('it.committer.app.playback');
    await createTopic(kafka, topic, PARTITIONS);
    const records = [...new RecordGenerator({ events: 40_000, seed: 13, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.01, spanMs: 30 * 60_000 })];
    // Idle exit must outlast a session timeout, so partitions of a killed member move before the others stop.
    const args = ['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--group', uniqueName('g-committer'), '--committer', 'group', '--commit-interval-ms', String(INTERVAL_MS), '--exit-when-idle-ms', '12000', '--session-timeout-ms', '6000'];
    const members: IngestRun[] = [];
    for (let i = 0; i < MEMBERS; i++) members.push(startIngest(args, {}, log(`member${i}`)));
    await Promise.all(members.map((m) => m.waitFor('partitions assigned')));
    // Each member joined (and logged its first assignment) after the ones before it; the last rebalance names the committer.
    await sleep(2_000);

    const started = Date.now();
    const producing = produceRecords(kafka, topic, records, { rate: 4_000 });
    await sleep(2_500);
    const committer = members.findIndex(({ output }) => {
      const { stdout } = output();
      return stdout.lastIndexOf(`"msg":"${COMMITTING}"`) > stdout.lastIndexOf(`"msg":"no longer ${COMMITTING}"`);
    });
    assert.ok(committer >= 0, 'one member says it commits for the group');
    const victims = [committer, (committer + 1) % MEMBERS];
    members[victims[0]].child.kill('SIGKILL');
    await sleep(1_500);
    members.push(startIngest(args, {}, log('restarted-committer')));
    await sleep(2_000);
    members[victims[1]].child.kill('SIGKILL');
    await sleep(1_000);
    members.push(startIngest(args, {}, log('restarted-member')));
    assert.equal(await producing, records.length);

    const ends = await Promise.all(members.map((m) => m.exited));
    for (const [i, end] of ends.entries()) {
      if (victims.includes(i)) assert.equal(end.signal, 'SIGKILL');
      else assert.equal(end.code, 0, `member ${i}:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
    }
    const seconds = (Date.now() - started) / 1000;
    await assertLakeEqualsOracle(warehouse, contract, records);

    const catalog = new FilesystemCatalog(warehouse);
    for (const name of TABLE_NAMES) {
      const snapshots = (await Table.load(catalog, { namespace: [NAMESPACE], name })).metadata.snapshots ?? [];
      const times = snapshots.map((s) => s['timestamp-ms']);
      const spanMs = Math.max(...times) - Math.min(...times);
      t.diagnostic(`${name}: ${snapshots.length} snapshots over ${(spanMs / 1000).toFixed(1)} s (${seconds.toFixed(0)} s run, ${MEMBERS} members, ${INTERVAL_MS} ms interval)`);
      // One per interval, plus a few where two committers overlapped around the handovers.
      assert.ok(snapshots.length <= spanMs / INTERVAL_MS + 8, `${name}: ${snapshots.length} snapshots in ${spanMs} ms is more than one per ${INTERVAL_MS} ms interval`);
    }
  }),
);
