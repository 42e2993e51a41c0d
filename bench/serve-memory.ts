/**
 * `serve`'s memory and start-up with and without `--index-window` (issue 13 item 4), in
 * one run: a warehouse of `--rows` synthetic `graph.edges` rows spread evenly over
 * `--days` days of event time (bench/edge-history.ts), then `lakegraph serve --no-tail`
 * started on it once per window in `--windows`, each as a real process: seconds from spawn
 * to `serving`, its resident memory then (VmRSS) and at its peak (VmHWM), the rows its
 * index holds, and member-activity latency through HTTP for a window inside the index
 * window (5 minutes: the index) and one reaching before it (30 days: the data files).
 *
 *   node dist/bench/serve-memory.js [--rows 5000000] [--chunk-rows 500000] [--days 30] [--windows all,7d] [--iterations 20]
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { positiveFlag } from './bench-flags.js';
import { startServe } from './serve-process.js';
import { writeEdgeHistory } from './edge-history.js';
import { ACCOUNTS, nearestRank } from './tail-traffic.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '5000000' },
    'chunk-rows': { type: 'string', default: '500000' },
    days: { type: 'string', default: '30' },
    windows: { type: 'string', default: 'all,7d' },
    iterations: { type: 'string', default: '20' },
  },
});
const positive = (name: keyof typeof flags) => positiveFlag(flags, name);
const ROWS = positive('rows');
const CHUNK_ROWS = positive('chunk-rows');
const DAYS = positive('days');
const ITERATIONS = positive('iterations');

/** A /proc/<pid>/status field in MiB. */
async function procMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}


interface Measured {
  window: string;
  startSeconds: number;
  indexedRows: number;
  rssMiB: number;
  peakMiB: number;
  afterQueriesMiB: number;
  inside: string;
  outside: string;
}

async function measure(warehouse: string, window: string): Promise<Measured> {
  const started = performance.now();
  const serve = await startServe(['--no-tail', '--warehouse', warehouse, '--index-window', window]);
  const startSeconds = (performance.now() - started) / 1000;
  const [rssMiB, peakMiB] = [await procMiB(serve.pid, 'VmRSS'), await procMiB(serve.pid, 'VmHWM')];
  const ready = JSON.parse(serve.lines.find((l) => l.includes('"msg":"edge index ready"'))!) as { rows: number };
  const latency = async (since: string) => {
    const ms: number[] = [];
    for (let i = 0; i <= ITERATIONS; i++) {
      const account = `a-${Math.floor(Math.random() * ACCOUNTS)}`;
      const t = performance.now();
      const response = await fetch(`${serve.url}/v1/query/member-activity?account=${account}&since=${since}`);
      if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      if (i > 0) ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return `${nearestRank(ms, 0.5).toFixed(1)} / ${nearestRank(ms, 0.99).toFixed(1)}`;
  };
  const inside = await latency('5m');
  const outside = await latency('30d');
  const afterQueriesMiB = await procMiB(serve.pid, 'VmRSS');
  await serve.stop();
  return { window, startSeconds, indexedRows: ready.rows, rssMiB, peakMiB, afterQueriesMiB, inside, outside };
}

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-bench-serve-memory-'));
try {
  const chunks = Math.ceil(ROWS / CHUNK_ROWS);
  const stepMicros = Math.floor((DAYS * 86_400_000_000) / Math.max(1, chunks - 1));
  await writeEdgeHistory(new FilesystemCatalog(warehouse), ROWS, CHUNK_ROWS, Date.now() * 1000, stepMicros);
  console.log(`bench/serve-memory: ${ROWS.toLocaleString('en-US')} edge rows over ${DAYS} days (${chunks} commits), member-activity p50 / p99 ms over ${ITERATIONS} random accounts`);
  console.log('| --index-window | start-up to serving | rows indexed | RSS at start | peak RSS | RSS after queries | member-activity 5m (index) | member-activity 30d (index with all, else files) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const window of flags.windows.split(',')) {
    const m = await measure(warehouse, window);
    console.log(`| ${m.window} | ${m.startSeconds.toFixed(1)} s | ${m.indexedRows.toLocaleString('en-US')} | ${m.rssMiB.toFixed(0)} MiB | ${m.peakMiB.toFixed(0)} MiB | ${m.afterQueriesMiB.toFixed(0)} MiB | ${m.inside} | ${m.outside} |`);
  }
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
