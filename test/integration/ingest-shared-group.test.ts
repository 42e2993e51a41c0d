/**
 * Jobs of different topics started with one `--group`, against the real broker. kafkajs's
 * round-robin assigner spreads only the group leader's topic over every member, so the
 * other topics got no partitions and their jobs went "idle" at once and exited 0 having
 * read nothing (issue 15: 10,173 of 12,330 keys missing). Each topic's partitions must go
 * to the members of that topic, and both lakes must equal the oracle.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import {
  assertLakeEqualsOracleOfTopics, createTopic, endOffsets, readAndCommitted, startIngest, testKafka, uniqueName, withScratch,
} from '../support/ingest-harness.js';

const PARTITIONS = 4;
let kafka: Kafka;

before(() => {
  kafka = testKafka();
});

test('two jobs of different topics in one group: each reads all of its own topic', { timeout: 120_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const group = uniqueName('g-shared');
  const sources = (['app.playback', 'app.session'] as const).map((contract, i) => ({
    contract,
    topic: uniqueName(`it.shared.${contract}`),
    records: [...new RecordGenerator({ events: 6_000, seed: 40 + i, topics: [contract], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.01, spanMs: 30 * 60_000, baseTs: Date.UTC(2026, 0, 1) })],
  }));
  for (const { topic, records } of sources) {
    await createTopic(kafka, topic, PARTITIONS);
    await produceRecords(kafka, topic, records);
  }
  const runs = sources.map(({ topic, contract }) =>
    startIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--group', group, '--commit-interval-ms', '300', '--exit-when-idle-ms', '4000', '--session-timeout-ms', '6000'], {}, log(contract)),
  );
  const ends = await Promise.all(runs.map((run) => run.exited));
  for (const [i, end] of ends.entries()) assert.equal(end.code, 0, `${sources[i]!.topic}:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
  assert.ok(ends.some((end) => end.stdout.includes(`consumer group ${group} is shared by the jobs of 2 topics`)), 'the two jobs were in the group together, and its leader said so');
  for (const { topic } of sources) assert.deepEqual(await readAndCommitted(warehouse, topic), await endOffsets(kafka, topic), `the lake's offsets of ${topic} reach the end`);
  await assertLakeEqualsOracleOfTopics(warehouse, sources);
}));
