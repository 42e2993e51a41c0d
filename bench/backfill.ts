/**
 * Backfill throughput of one process: writes generated events (one contract topic, 4
 * partitions, the generator's duplicates and bad records) as an archive — JSON lines, and
 * the same records as Parquet — then measures reading the archive alone (the ceiling) and
 * replaying it into a fresh filesystem lake to the committed snapshot. No broker: rejects go
 * to graph.rejected_events only. Compare with `bench/ingest.js` run with the same count.
 *
 *   node dist/bench/backfill.js [events=1000000]
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { runBackfill } from '../src/stream/archive/archive-backfill.js';
import { listArchive, readArchiveFile } from '../src/stream/archive/archive-files.js';
import { jsonLineOf, parquetArchiveOf } from '../src/stream/archive/write-archive.js';
import { RecordGenerator } from '../src/stream/generator/record-generator.js';
import { openGraphTables } from '../src/stream/job/graph-tables.js';
import { TopicJob } from '../src/stream/job/topic-job.js';
import type { SourceRecord } from '../src/stream/source-record.js';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const CONTRACT = 'app.playback';
const PARQUET_FILE_RECORDS = 250_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function writeArchives(dir: string): Promise<void> {
  await mkdir(join(dir, 'jsonl'));
  await mkdir(join(dir, 'parquet'));
  const lines = createWriteStream(join(dir, 'jsonl', 'part-0000.jsonl'));
  let pending: SourceRecord[] = [];
  let files = 0;
  const flushParquet = async () => {
    await writeFile(join(dir, 'parquet', `part-${String(files++).padStart(4, '0')}.parquet`), parquetArchiveOf(pending));
    pending = [];
  };
  for (const record of new RecordGenerator({ events: EVENTS, seed: 1, topics: [CONTRACT], partitions: 4, maxOversize: 0 })) {
    if (!lines.write(`${jsonLineOf(record)}\n`)) await once(lines, 'drain');
    pending.push(record);
    if (pending.length === PARQUET_FILE_RECORDS) await flushParquet();
  }
  if (pending.length > 0) await flushParquet();
  lines.end();
  await once(lines, 'finish');
}

/** Records/s and CPU µs/record of reading the archive and nothing else. */
async function readRate(from: string): Promise<{ rate: number; cpuPerRecord: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let n = 0;
  for (const file of await listArchive(from)) for await (const _ of readArchiveFile(file)) n++;
  const cpu = process.cpuUsage(cpuBefore);
  return { rate: n / ((performance.now() - started) / 1000), cpuPerRecord: (cpu.user + cpu.system) / n };
}

async function replay(from: string, warehouse: string) {
  const job = new TopicJob(CONTRACT, await openGraphTables(new FilesystemCatalog(warehouse)));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const done = await runBackfill({ job, files: await listArchive(from), commitIntervalMs: 2_000 });
  const cpu = process.cpuUsage(cpuBefore);
  if (done.rescans > 0 || done.read !== EVENTS) throw new Error(`read ${done.read} of ${EVENTS} with ${done.rescans} rescans; the figure would be off`);
  return { seconds: (performance.now() - started) / 1000, done, cpuMicros: cpu.user + cpu.system };
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'lakegraph-bench-backfill-'));
  try {
    const written = performance.now();
    await writeArchives(dir);
    console.log(`archive: ${fmt(EVENTS)} records as JSON lines and as Parquet in ${((performance.now() - written) / 1000).toFixed(1)} s`);
    for (const format of ['jsonl', 'parquet']) {
      const from = join(dir, format);
      const read = await readRate(from);
      console.log(`${format}: reading the archive alone: ${fmt(read.rate)} records/s (CPU ${read.cpuPerRecord.toFixed(1)} µs/record)`);
      const { seconds, done, cpuMicros } = await replay(from, join(dir, `warehouse-${format}`));
      console.log(
        `${format}: backfill (read → committed snapshot): ${fmt(EVENTS / seconds)} records/s  (${seconds.toFixed(1)} s; ` +
          `${fmt(done.job.accepted)} accepted, ${fmt(done.job.rejected)} rejected, ${fmt(done.job.duplicates)} duplicates, ${done.job.snapshots} snapshots; CPU ${(cpuMicros / EVENTS).toFixed(1)} µs/record)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
