/**
 * A second member joins a group while records flow, against the real broker (issue 13,
 * item 3). Before, every assignment dropped the window and re-read every assigned
 * partition from the lake's replay point, so the member that kept its partitions read
 * them again. Now the member that keeps a partition reads each of its records once, the
 * one that takes a partition re-reads only what the dedup horizon needs before the lake's
 * offset, and the lake still equals the oracle.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { decodeEvent } from '../../src/events/decode.js';
import { DEFAULT_DEDUP_OPTIONS } from '../../src/stream/dedup/partition-dedup.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { ReplayTracker } from '../../src/stream/job/replay-tracker.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import {
  assertLakeEqualsOracle, createTopic, readAndCommitted, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch, type IngestRun,
} from '../support/ingest-harness.js';

const PARTITIONS = 4;
const CONTRACT = 'app.playback';
/** Records produced every 200 ms while the second member starts. */
const TRICKLE = 100;

/**
 * Per partition, the most records a member taking it over can have to re-read for the dedup
 * horizon: over every offset the lake may hold, how far back its replay point lies.
 */
function horizonReReads(records: readonly SourceRecord[]): number[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => {
    const tracker = new ReplayTracker(0, DEFAULT_DEDUP_OPTIONS.horizonMs);
    let most = 0;
    let offset = 0;
    for (const record of records) {
      if (record.partition !== partition) continue;
      most = Math.max(most, offset - tracker.replayFrom());
      const decoded = decodeEvent(CONTRACT, record.value);
      if (decoded.ok) tracker.observe(offset, decoded.event.ts);
      offset++;
    }
    return Math.max(most, offset - tracker.replayFrom());
  });
}

/** The member's log lines with message `msg`. */
async function logged(run: IngestRun, msg: string): Promise<Array<Record<string, unknown>>> {
  const { code, stdout, stderr } = await run.exited;
  assert.equal(code, 0, `ingest stopped cleanly on SIGTERM:\n${stdout.slice(-3000)}\n${stderr.slice(-2000)}`);
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).filter((line) => line.msg === msg);
}

/** The `records` counter of the member's last log line (records handed to its job, re-reads included). */
async function recordsRead(run: IngestRun): Promise<number> {
  const [stopped] = await logged(run, 'ingest stopped');
  assert.ok(stopped, `no 'ingest stopped' line:\n${run.output().stdout.slice(-2000)}`);
  return stopped.records as number;
}

test('a member joining mid-stream: only the dedup horizon of the moved partitions is read twice, and the lake equals the oracle', { timeout: 120_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  const kafka = testKafka();
  const topic = uniqueName('it.rebalance');
  const group = uniqueName('g-rebalance');
  const records = [...new RecordGenerator({ events: 16_000, seed: 13, topics: [CONTRACT], partitions: PARTITIONS, dupRatio: 0.05, badRatio: 0.01, spanMs: 6 * 60 * 60_000, baseTs: Date.UTC(2026, 0, 1) })];
  const half = Math.floor(records.length / 2);
  await createTopic(kafka, topic, PARTITIONS);
  await produceRecords(kafka, topic, records.slice(0, half));
  const args = ['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--group', group, '--commit-interval-ms', '300', '--session-timeout-ms', '6000'];
  const first = startIngest(args, {}, log('first'));
  // Once the first member has committed part of the topic, the rest trickles in until the second has joined.
  for (;;) {
    const committed = [...(await readAndCommitted(warehouse, topic).catch(() => new Map<number, number>())).values()].reduce((a, b) => a + b, 0);
    if (committed > 0) break;
    await sleep(200);
  }
  const second = startIngest(args, {}, log('second'));
  let sent = half;
  for (const joined = second.waitFor('"partitions assigned"').then(() => true); sent < records.length && !(await Promise.race([joined, sleep(200)])); sent += TRICKLE) {
    await produceRecords(kafka, topic, records.slice(sent, sent + TRICKLE));
  }
  await produceRecords(kafka, topic, records.slice(sent));
  await waitUntilCommitted(kafka, warehouse, topic, 60_000);
  for (const run of [first, second]) run.child.kill('SIGTERM');
  const [readByFirst, readBySecond] = [await recordsRead(first), await recordsRead(second)];
  await assertLakeEqualsOracle(warehouse, CONTRACT, records);
  const produced = records.length;
  const [taken] = await logged(second, 'partitions assigned');
  const moved = taken!.partitions as number[];
  assert.equal(moved.length, PARTITIONS / 2, 'the second member took half the partitions over');
  const horizon = horizonReReads(records);
  const bound = produced + moved.reduce((sum, partition) => sum + horizon[partition]!, 0);
  t.diagnostic(`records read / produced: ${readByFirst} + ${readBySecond} = ${readByFirst + readBySecond} / ${produced}; at most ${bound} (the dedup horizon of partitions ${moved.join(', ')})`);
  // The keeper reads every record of its partitions once, and the moved ones up to where it committed them;
  // the taker reads those on from the lake's replay point. So only the replay is read twice.
  assert.ok(readByFirst + readBySecond <= bound, `both read ${readByFirst + readBySecond}; produced ${produced} plus the dedup horizon of the moved partitions is ${bound}`);
}));
