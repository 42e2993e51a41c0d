/**
 * A topic job of 1, 2 and 4 `lakegraph ingest` processes on one topic (issue 13): for each
 * committer mode (`--committer member`: each member commits its own windows; `group`: one
 * member commits everyone's), the records/s to the committed snapshot, the snapshots per
 * table per second, and the records the members read per record produced (re-reads after
 * rebalances). Each run starts its members on a fresh 8-partition topic, a fresh
 * warehouse and group, then produces `--events` at `--rate` records/s, as live traffic
 * arrives: every member then flushes about once per commit interval.
 *
 *   node dist/bench/ingest-scale.js [--events 200000] [--rate 20000] [--members 1,2,4] [--committers member,group] [--interval-ms 250]
 *
 * On a 2-core machine the processes share the cores: records/s shows the cost of the
 * fleet's coordination, not its scaling; snapshots per table per second is the figure.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { Table } from '../src/lake/table/table.js';
import { NAMESPACE, TABLE_NAMES } from '../src/lake/tables.js';
import { RecordGenerator } from '../src/stream/generator/record-generator.js';
import { createKafka } from '../src/stream/kafka/kafka-client.js';
import { produceRecords } from '../src/stream/kafka/produce-records.js';
import { ensureTopic } from '../src/stream/kafka/topic-admin.js';
import { jsonLog } from '../src/stream/metrics/json-log.js';
import { positiveFlag } from './bench-flags.js';
import { CLI } from './serve-process.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '20000' },
    members: { type: 'string', default: '1,2,4' },
    committers: { type: 'string', default: 'member,group' },
    'interval-ms': { type: 'string', default: '250' },
  },
});
const EVENTS = positiveFlag(flags, 'events');
const INTERVAL_MS = positiveFlag(flags, 'interval-ms');
const RATE = positiveFlag(flags, 'rate');
const MEMBER_COUNTS = flags.members.split(',').map((n) => positiveFlag({ members: n }, 'members'));
const COMMITTERS = flags.committers.split(',');
const PARTITIONS = 8;
const CONTRACT = 'app.playback';
const brokers = process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Runs one `lakegraph ingest` until it goes idle; resolves with the records it read. */
function member(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'ingest', '--brokers', brokers, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const stopped = out.split('\n').find((line) => line.includes('"msg":"ingest stopped"'));
      if (code !== 0 || stopped === undefined) reject(new Error(`ingest exited ${code}:\n${out.slice(-2000)}`));
      else resolve((JSON.parse(stopped) as { records: number }).records);
    }),
  );
}

const kafka = createKafka(brokers.split(','), 'bench-ingest-scale', jsonLog('warn', (line) => process.stderr.write(line)));
const records = [...new RecordGenerator({ events: EVENTS, seed: 1, topics: [CONTRACT], partitions: PARTITIONS, maxOversize: 0 })];

async function run(members: number, committer: string): Promise<string> {
  const warehouse = await mkdtemp(join(tmpdir(), 'bench-ingest-scale-'));
  try {
    const topic = `bench.scale.${committer}.${members}.${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopic(admin, topic, PARTITIONS);
    await admin.disconnect();
    const args = ['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--group', `${topic}.group`, '--committer', committer, '--commit-interval-ms', String(INTERVAL_MS), '--exit-when-idle-ms', '10000'];
    const running = Promise.all(Array.from({ length: members }, () => member(args)));
    await sleep(4_000); // every member joined and took its partitions (and is far from idle)
    const started = Date.now();
    await produceRecords(kafka, topic, records, { rate: RATE });
    const read = (await running).reduce((sum, n) => sum + n, 0);
    const catalog = new FilesystemCatalog(warehouse);
    const snapshots = await Promise.all(TABLE_NAMES.map(async (name) => (await Table.load(catalog, { namespace: [NAMESPACE], name })).metadata.snapshots ?? []));
    const lastCommit = Math.max(...snapshots.flat().map((s) => s['timestamp-ms']));
    const seconds = (lastCommit - started) / 1000;
    const perTable = snapshots.map((s) => (s.length / seconds).toFixed(1)).join(' / ');
    return `| ${committer} | ${members} | ${fmt(EVENTS / seconds)} | ${perTable} | ${(read / EVENTS).toFixed(2)} | ${seconds.toFixed(1)} s |`;
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
}

console.log(`${fmt(EVENTS)} records at ${fmt(RATE)}/s on ${PARTITIONS} partitions, commit interval ${INTERVAL_MS} ms, load ${loadavg()[0]!.toFixed(2)} at start\n`);
console.log('| committer | processes | records/s to the lake | snapshots/s edges / nodes / rejected | read ÷ produced | produce start to last commit |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const committer of COMMITTERS) for (const members of MEMBER_COUNTS) console.log(await run(members, committer));
console.log(`\nload ${loadavg()[0]!.toFixed(2)} at end`);
