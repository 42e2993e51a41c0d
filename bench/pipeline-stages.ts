/**
 * Where the embedded pipeline's time goes, stage by stage, on one topic's records
 * held in memory: decode, + dedup and mapping into the window, + flush (Arrow,
 * Parquet, commits). Usage: node dist/bench/pipeline-stages.js [--events N] [--topic T]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeEvent } from '../src/events/decode.js';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { RecordGenerator } from '../src/stream/generator/record-generator.js';
import { openGraphTables } from '../src/stream/job/graph-tables.js';
import { TopicJob } from '../src/stream/job/topic-job.js';
import type { SourceRecord } from '../src/stream/source-record.js';
import type { Topic } from '../src/events/topics.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, topic: { type: 'string', default: 'app.playback' } } });
const events = Number(values.events);
const topic = values.topic as Topic;

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
}

let t = performance.now();
const records: SourceRecord[] = [...new RecordGenerator({ events, topics: [topic], partitions: 4 })];
console.log(`generate      ${records.length} records in ${(performance.now() - t).toFixed(0)} ms  ${rate(records.length, performance.now() - t)}`);

t = performance.now();
let ok = 0;
for (const r of records) if (decodeEvent(topic, r.value).ok) ok++;
console.log(`decode only   ${rate(records.length, performance.now() - t)} (${ok} accepted)`);

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-stages-'));
try {
  const job = new TopicJob(topic, await openGraphTables(new FilesystemCatalog(warehouse)));
  await job.reload();
  job.assign([0, 1, 2, 3]);
  t = performance.now();
  let flushMs = 0;
  let flushes = 0;
  let processed = 0;
  for (const r of records) {
    job.process(r);
    if (++processed % 200_000 === 0 || job.isFull()) {
      const f = performance.now();
      await job.flush();
      flushMs += performance.now() - f;
      flushes++;
    }
  }
  const f = performance.now();
  await job.flush();
  flushMs += performance.now() - f;
  flushes++;
  const total = performance.now() - t;
  console.log(`process       ${rate(records.length, total - flushMs)} (decode + dedup + map into the window)`);
  console.log(`flush         ${flushes} flushes, ${flushMs.toFixed(0)} ms, ${(flushMs / flushes).toFixed(0)} ms each; edge rows ${job.counters.edgeRows}, node rows ${job.counters.nodeRows}`);
  console.log(`end to end    ${rate(records.length, total)} into committed snapshots`);
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
