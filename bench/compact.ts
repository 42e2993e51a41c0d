/**
 * Compaction on a warehouse left by many small streaming commits: rows/s compacted, live
 * files and bytes before/after, and graph-query latency before/after, in one run.
 *
 *   node dist/bench/compact.js [--events N] [--window-edge-rows N] [--samples N] [--target-file-mb N]
 *
 * The warehouse is built by the embedded pipeline (all five topics, 4 partitions) with a
 * window that flushes every `--window-edge-rows` edge rows, as a busy stream committing
 * every few seconds would. Queries run through QuerySession.graphQuery, the code behind
 * `lakegraph query`: member-activity of an account (5-minute window) and a 3-hop khop
 * from an account, each over `--samples` accounts, the same accounts before and after;
 * their answers must be equal, or the bench fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Catalog } from '../src/lake/catalog/catalog.js';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { liveFileStats } from '../src/lake/scan/inspect.js';
import { planFiles } from '../src/lake/scan/plan-files.js';
import { NAMESPACE, type TableName } from '../src/lake/tables.js';
import { runMaintenance, type MaintenanceResult, type MaintenanceStep } from '../src/maintenance/maintenance-run.js';
import { parseGraphRequest, type GraphRequest } from '../src/query/graph-request.js';
import { QuerySession } from '../src/query/query-session.js';
import { runEmbeddedPipeline } from '../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../src/stream/generator/record-generator.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    'window-edge-rows': { type: 'string', default: '1000' },
    samples: { type: 'string', default: '40' },
    'target-file-mb': { type: 'string', default: '128' },
  },
});
const EVENTS = Number(flags.events);
const WINDOW_EDGE_ROWS = Number(flags['window-edge-rows']);
const SAMPLES = Number(flags.samples);
const TARGET_FILE_MB = Number(flags['target-file-mb']);
const SPAN_MS = 30 * 60_000;
const BASE_TS = Date.UTC(2026, 10, 26, 12, 0, 0);
/** Query reference time: the end of the generated stream, so windows do not slide during the run. */
const AT = String(BASE_TS + SPAN_MS);
const TABLES: readonly TableName[] = ['edges', 'nodes'];

const fmt = (n: number | bigint) => Math.round(Number(n)).toLocaleString('en-US');
const mib = (bytes: bigint) => `${(Number(bytes) / 2 ** 20).toFixed(1)} MiB`;
const load = () => loadavg()[0].toFixed(1);

interface TableShape {
  readonly snapshots: number;
  readonly files: number;
  readonly bytes: bigint;
  readonly records: bigint;
  readonly manifests: number;
}

async function shapeOf(catalog: Catalog, name: TableName): Promise<TableShape> {
  const metadata = await catalog.loadTable({ namespace: [NAMESPACE], name });
  const { files } = await planFiles(catalog.io, metadata);
  return {
    snapshots: metadata.snapshots.length,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0n),
    records: files.reduce((n, f) => n + f.recordCount, 0n),
    manifests: (await liveFileStats(catalog.io, metadata)).manifests,
  };
}

/** Nearest-rank percentile of latencies in ms. */
function percentile(sortedMs: readonly number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)];
}

interface QueryFigures {
  readonly p50: number;
  readonly p99: number;
  /** Every answer, in order, to compare before with after. */
  readonly answers: string;
}

async function sampleAccounts(catalog: Catalog): Promise<string[]> {
  const session = await QuerySession.open({ catalog });
  try {
    return await session.query(async ({ connection }) => {
      // A fixed pseudo-random spread of members, busy and quiet alike.
      const sql = `SELECT DISTINCT src_id FROM edges WHERE src_type = 'account' ORDER BY hash(src_id) LIMIT ${SAMPLES}`;
      return (await connection.runAndReadAll(sql)).getRows().map(([id]) => String(id));
    });
  } finally {
    await session.close();
  }
}

function request(query: 'member-activity' | 'khop', account: string): GraphRequest {
  const raw: Record<string, string> = query === 'khop' ? { node: `account:${account}`, hops: '3', at: AT } : { account, since: '5m', at: AT };
  const parsed = parseGraphRequest(query, raw, Date.now());
  if (!parsed.ok) throw new Error(`bad ${query} request: ${parsed.issues.join('; ')}`);
  return parsed.request;
}

/** A fresh session (as a one-shot `lakegraph query` opens), one warm-up query, then the timed ones. */
async function measureQueries(catalog: Catalog, accounts: readonly string[]): Promise<Record<'member-activity' | 'khop', QueryFigures>> {
  const session = await QuerySession.open({ catalog });
  try {
    const measure = async (query: 'member-activity' | 'khop'): Promise<QueryFigures> => {
      await session.graphQuery(request(query, accounts[0]));
      const latencies: number[] = [];
      const answers: unknown[] = [];
      for (const account of accounts) {
        const started = performance.now();
        answers.push(await session.graphQuery(request(query, account)));
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), answers: JSON.stringify(answers) };
    };
    return { 'member-activity': await measure('member-activity'), khop: await measure('khop') };
  } finally {
    await session.close();
  }
}

/** Time per maintenance step, summed over the tables, from the progress callbacks. */
function stepTimer(): { onProgress: (p: { table: TableName; step: MaintenanceStep }) => void; finish: () => Map<MaintenanceStep, number> } {
  const spent = new Map<MaintenanceStep, number>();
  let current: { key: string; step: MaintenanceStep; since: number } | undefined;
  const close = (now: number) => current && spent.set(current.step, (spent.get(current.step) ?? 0) + now - current.since);
  return {
    onProgress: ({ table, step }) => {
      const key = `${table}/${step}`;
      if (current?.key === key) return;
      const now = performance.now();
      close(now);
      current = { key, step, since: now };
    },
    finish: () => {
      close(performance.now());
      return spent;
    },
  };
}

async function compact(catalog: Catalog): Promise<{ result: MaintenanceResult; rewriteMs: number }> {
  const timer = stepTimer();
  const result = await runMaintenance(catalog, {
    targetFileBytes: TARGET_FILE_MB * 2 ** 20,
    // The CLI's defaults: nothing here is old enough to expire or to count as an orphan.
    snapshotRetention: { olderThanMs: 5 * 86_400_000, keepLast: 10 },
    orphanOlderThanMs: 3 * 86_400_000,
    dryRun: false,
    tables: TABLES,
    onProgress: timer.onProgress,
  });
  return { result, rewriteMs: timer.finish().get('rewrite') ?? 0 };
}

const warehouse = await mkdtemp(join(tmpdir(), 'bench-compact-'));
try {
  const catalog = new FilesystemCatalog(warehouse);
  console.log(`node ${process.version}, ${EVENTS} events, window ${WINDOW_EDGE_ROWS} edge rows, target ${TARGET_FILE_MB} MiB, ${SAMPLES} query samples; load ${load()}`);

  const buildStarted = performance.now();
  const totals = await runEmbeddedPipeline({
    catalog,
    generator: new RecordGenerator({ events: EVENTS, seed: 3, partitions: 4, spanMs: SPAN_MS, baseTs: BASE_TS }),
    topics: ['app.session', 'app.playback', 'app.ads', 'app.games', 'app.live'],
    partitions: 4,
    commitIntervalMs: 60_000,
    job: { limits: { maxEdgeRows: WINDOW_EDGE_ROWS, maxRejectedBytes: 64 << 20, idleTableCommitMs: 60_000 } },
  });
  console.log(`build: ${fmt(totals.snapshots)} table commits (all three tables) in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s; load ${load()}`);

  const before = await Promise.all(TABLES.map((t) => shapeOf(catalog, t)));
  const accounts = await sampleAccounts(catalog);
  const queriesBefore = await measureQueries(catalog, accounts);
  const loadBefore = load();

  const { result, rewriteMs } = await compact(catalog);
  const loadDuring = load();

  const after = await Promise.all(TABLES.map((t) => shapeOf(catalog, t)));
  const queriesAfter = await measureQueries(catalog, accounts);
  for (const query of ['member-activity', 'khop'] as const) {
    if (queriesAfter[query].answers !== queriesBefore[query].answers) throw new Error(`${query} answers differ after compaction`);
  }

  const rowsIn = result.tables.reduce((n, t) => n + t.rewrite.rowsRewritten, 0n);
  const rowsMerged = result.tables.reduce((n, t) => n + t.rewrite.rowsMerged, 0n);
  console.log(`\ncompaction: ${fmt(rowsIn)} rows read, ${fmt(rowsMerged)} merged away; rewrite step ${(rewriteMs / 1000).toFixed(1)} s = ` +
    `**${fmt(Number(rowsIn) / (rewriteMs / 1000))} rows/s**; whole run (rewrite, manifests, expiry, orphans) ${(result.durationMs / 1000).toFixed(1)} s; load ${loadDuring}\n`);
  console.log('| table | snapshots | live data files | bytes | rows | manifests |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [i, table] of TABLES.entries()) {
    const [b, a] = [before[i], after[i]];
    console.log(`| ${table} | ${fmt(b.snapshots)} | ${fmt(b.files)} → ${fmt(a.files)} | ${mib(b.bytes)} → ${mib(a.bytes)} | ${fmt(b.records)} → ${fmt(a.records)} | ${b.manifests} → ${a.manifests} |`);
  }
  console.log(`\n| query (${accounts.length} accounts, answers equal) | p50 before → after | p99 before → after |`);
  console.log('| --- | --- | --- |');
  for (const query of ['member-activity', 'khop'] as const) {
    const [b, a] = [queriesBefore[query], queriesAfter[query]];
    const name = query === 'khop' ? 'khop 3 hops' : 'member-activity --since 5m';
    console.log(`| ${name} | ${b.p50.toFixed(1)} → ${a.p50.toFixed(1)} ms | **${b.p99.toFixed(1)} → ${a.p99.toFixed(1)} ms** |`);
  }
  console.log(`\nload: ${loadBefore} while querying before, ${loadDuring} after compacting, ${load()} at the end`);
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
