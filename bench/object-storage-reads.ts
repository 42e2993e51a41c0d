/**
 * How a host should read the data files of a lake in S3 (issue 11), on a `graph.edges`
 * table of --rows rows written through the real write path (edge-history.ts) into a
 * private S3 store behind a private REST catalog (infra/local/up with a state directory
 * and ports of its own, stopped at the end):
 *
 * - `serve`'s edge index: loading every data file into an EdgeIndex through the local file
 *   cache (LocalReplicas: download, then read the copies; what `serve` does) cold and
 *   warm — a restart of `serve` on the same host; decoding each file straight from the
 *   store (`io.read`, what it did before); and the bare sequential GETs, to split
 *   transfer from decoding.
 * - `lakegraph query member-activity` as a whole process, one shot, through the file cache
 *   cold and warm, and with DuckDB reading the `s3://` files itself through httpfs
 *   (bench/httpfs-reads.ts, preloaded into the unchanged command).
 *
 * Each figure is a fresh process, so memory is that process's peak and nothing is warm
 * in it; variants take turns each round so load drifts hit all of them.
 *
 *   node dist/bench/object-storage-reads.js [--rows 20000000] [--chunk-rows 500000] [--rounds 2] [--queries 3] [--keep | --services DIR]
 *
 * Writing 20M rows to the store takes minutes: `--keep` leaves the services and the lake
 * in place and says where, and `--services DIR` measures that lake again (then stops it
 * unless --keep is given again).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { RestCatalog } from '../src/lake/catalog/rest-catalog.js';
import { localReplicasOf } from '../src/lake/io/local-replicas.js';
import { EdgeIndex } from '../src/query/index/edge-index.js';
import { EdgeSegment } from '../src/query/index/edge-segment.js';
import { NodeDictionary } from '../src/query/index/node-dictionary.js';
import { loadTableSnapshot } from '../src/query/snapshot-tier.js';
import { StringDictionary } from '../src/stream/window/string-dictionary.js';
import { PrivateServices } from '../test/support/private-services.js';
import { duckdbExtensionDirectory, REPO_ROOT } from '../test/support/services.js';
import { positiveFlag } from './bench-flags.js';
import { writeEdgeHistory } from './edge-history.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000000' },
    'chunk-rows': { type: 'string', default: '500000' },
    rounds: { type: 'string', default: '2' },
    queries: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    services: { type: 'string' },
    /** Internal: run one index measurement in this process and print it as JSON. */
    measure: { type: 'string' },
  },
});
const positive = (name: 'rows' | 'chunk-rows' | 'rounds' | 'queries') => positiveFlag(flags, name);

const MiB = 2 ** 20;
const SELF = fileURLToPath(import.meta.url);
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const PRELOADS = { maxRss: join(REPO_ROOT, 'dist', 'bench', 'max-rss-at-exit.js'), httpfs: join(REPO_ROOT, 'dist', 'bench', 'httpfs-reads.js') };
/** Synthetic ids (edge-table.ts): accounts a-0…a-24999, profiles p-0…p-49999. */
const ACCOUNTS = 25_000;
const PROFILES = 50_000;

type IndexVia = 'direct' | 'cache' | 'gets';
interface IndexFigure {
  readonly seconds: number;
  /** Cache: the download (or on a warm cache, the hit check) before decoding starts. */
  readonly copySeconds?: number;
  readonly rows: number;
  readonly bytes: number;
  readonly maxRssMiB: number;
}

/** One index load in this process, from the catalog the environment names. */
async function measureIndex(via: IndexVia): Promise<IndexFigure> {
  const catalog = new RestCatalog({ uri: process.env['LAKEGRAPH_CATALOG_URI']! });
  const table = await loadTableSnapshot(catalog, 'edges');
  const { files } = table;
  const bytes = files.reduce((sum, f) => sum + Number(f.fileSizeInBytes), 0);
  const started = performance.now();
  let rows = 0;
  let copySeconds: number | undefined;
  if (via === 'gets') {
    for (const file of files) await catalog.io.read(file.filePath);
  } else if (via === 'direct') {
    // What EdgeIndex did before it read through the file cache: each file from the store, then decoded.
    const nodes = new NodeDictionary();
    const topics = new StringDictionary();
    for (const file of files) rows += EdgeSegment.fromParquet(await catalog.io.read(file.filePath), nodes, topics, file.filePath).rows;
  } else {
    const replicas = localReplicasOf(catalog.io);
    await replicas.pathsOf(files.map((f) => f.filePath));
    copySeconds = (performance.now() - started) / 1000;
    rows = (await new EdgeIndex(replicas).versionOf(table)).rows;
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, copySeconds, rows, bytes, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

if (flags.measure !== undefined) {
  process.stdout.write(`${JSON.stringify(await measureIndex(flags.measure as IndexVia))}\n`);
  process.exit(0);
}

const ROWS = positive('rows');
const CHUNK_ROWS = positive('chunk-rows');
const ROUNDS = positive('rounds');
const QUERIES = positive('queries');

interface Run {
  readonly ms: number;
  readonly stdout: string;
  readonly maxRssMiB: number;
}

/** Runs node with `args` to the end; wall time from spawn to exit. */
function runNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PRELOADS.maxRss, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject).on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}:\n${stderr.slice(-3000)}`));
      const rss = /max-rss-kib (\d+)\s*$/.exec(stderr);
      resolve({ ms, stdout, maxRssMiB: Number(rss?.[1] ?? NaN) / 1024 });
    });
  });
}

async function directoryBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => []);
  const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** `export K=V` lines of infra/local/env for the private services, as an environment. */
async function servicesEnv(services: PrivateServices): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)(join(REPO_ROOT, 'infra', 'local', 'env'), { env: { ...process.env, ...services.env } });
  return Object.fromEntries(stdout.trim().split('\n').map((line) => /^export ([A-Z0-9_]+)=(.*)$/.exec(line)!.slice(1, 3) as [string, string]));
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};
const range = (xs: readonly number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const scratch = await mkdtemp(join(tmpdir(), 'lakegraph-bench-reads-'));
const kept = flags.services && join(flags.services, 'bench-services.json');
const services = kept ? PrivateServices.of(JSON.parse(await readFile(kept, 'utf8')) as Record<string, string>) : await PrivateServices.create();
try {
  await services.up('object-store', 'rest-catalog');
  await writeFile(join(services.stateDir, 'bench-services.json'), JSON.stringify(services.env));
  const env = await servicesEnv(services);
  Object.assign(process.env, env);
  // The one-shot queries read the snapshot only, never the shared broker.
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv['LAKEGRAPH_BROKERS'];

  const catalog = new RestCatalog({ uri: env['LAKEGRAPH_CATALOG_URI']! });
  if (!kept) await writeEdgeHistory(catalog, ROWS, CHUNK_ROWS, Date.now() * 1000);
  const table = await loadTableSnapshot(catalog, 'edges');
  const { files } = table;
  const rows = files.reduce((sum, f) => sum + Number(f.recordCount), 0);
  if (rows !== ROWS) throw new Error(`the lake holds ${rows} edge rows, not --rows ${ROWS}`);
  const lakeBytes = files.reduce((sum, f) => sum + Number(f.fileSizeInBytes), 0);
  console.log(`bench/object-storage-reads: ${ROWS.toLocaleString('en-US')} edge rows in ${files.length} data files, ${(lakeBytes / MiB).toFixed(0)} MiB, private S3Proxy + REST catalog; load ${loadavg()[0]!.toFixed(1)}`);

  let cacheNo = 0;
  const freshCache = () => join(scratch, `cache-${cacheNo++}`);

  // Edge index: direct, cache cold, cache warm; direct first on even rounds, last on odd.
  const index: Record<string, IndexFigure[]> = { 'straight from S3 (io.read)': [], 'cache, cold (download, then read copies)': [], 'cache, warm (restart on the same host)': [], 'GETs only, no decoding': [] };
  const indexLoad = async (label: string, via: IndexVia, cacheDir: string) => {
    const run = await runNode([SELF, '--measure', via], { ...childEnv, LAKEGRAPH_CACHE_DIR: cacheDir });
    const figure = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as IndexFigure;
    index[label]!.push(figure);
    const copy = figure.copySeconds === undefined ? '' : `, ${figure.copySeconds.toFixed(1)} s of it copying`;
    console.log(`  index ${label}: ${figure.seconds.toFixed(1)} s${copy}, ${(figure.bytes / 1e6 / figure.seconds).toFixed(0)} MB/s, peak RSS ${figure.maxRssMiB.toFixed(0)} MiB (load ${loadavg()[0]!.toFixed(1)})`);
  };
  for (let r = 0; r < ROUNDS; r++) {
    const cache = freshCache();
    const direct = () => indexLoad('straight from S3 (io.read)', 'direct', cache);
    if (r % 2 === 0) await direct();
    await indexLoad('cache, cold (download, then read copies)', 'cache', cache);
    await indexLoad('cache, warm (restart on the same host)', 'cache', cache);
    if (r % 2 === 1) await direct();
    await indexLoad('GETs only, no decoding', 'gets', cache);
  }

  // One-shot queries: same member through each variant; httpfs first on odd rounds.
  const extensions = await duckdbExtensionDirectory();
  const queries: Record<string, { ms: number[]; rss: number[] }> = {};
  const oneShot = async (label: string, member: string[], cacheDir: string, httpfs: boolean) => {
    const preload = httpfs ? ['--import', PRELOADS.httpfs] : [];
    const run = await runNode([...preload, CLI, 'query', 'member-activity', ...member, '--since', '1d', '--json'], { ...childEnv, LAKEGRAPH_CACHE_DIR: cacheDir, LAKEGRAPH_BENCH_DUCKDB_EXTENSIONS: extensions });
    (queries[label] ??= { ms: [], rss: [] }).ms.push(run.ms);
    queries[label]!.rss.push(run.maxRssMiB);
    return (JSON.parse(run.stdout) as { edges: unknown[] }).edges.length;
  };
  for (let q = 0; q < QUERIES; q++) {
    for (const [kind, member] of [['account', ['--account', `a-${Math.floor(Math.random() * ACCOUNTS)}`]], ['profile', ['--profile', `p-${Math.floor(Math.random() * PROFILES)}`]]] as const) {
      const cache = freshCache();
      const viaHttpfs = () => oneShot(`--${kind}, DuckDB httpfs on s3://`, [...member], cache, true);
      const counts: number[] = [];
      if (q % 2 === 1) counts.push(await viaHttpfs());
      counts.push(await oneShot(`--${kind}, file cache cold`, [...member], cache, false));
      const copied = await directoryBytes(cache);
      counts.push(await oneShot(`--${kind}, file cache warm`, [...member], cache, false));
      if (q % 2 === 0) counts.push(await viaHttpfs());
      if (new Set(counts).size !== 1) throw new Error(`member-activity ${member.join(' ')}: the variants returned ${counts.join(' / ')} edges`);
      console.log(`  query member-activity ${member.join(' ')}: ${counts[0]} edges, the cold run copied ${(copied / MiB).toFixed(0)} MiB (load ${loadavg()[0]!.toFixed(1)})`);
      await rm(cache, { recursive: true, force: true });
    }
  }

  console.log(`\nEdge index of ${ROWS.toLocaleString('en-US')} rows, ${(lakeBytes / 1e6).toFixed(0)} MB (median of ${ROUNDS}, min–max):`);
  for (const [label, xs] of Object.entries(index)) {
    const copy = xs[0]?.copySeconds === undefined ? '' : `, copying ${range(xs.map((x) => x.copySeconds!), 1)} s`;
    console.log(`  ${label.padEnd(42)} ${range(xs.map((x) => x.seconds), 1)} s${copy}, ${median(xs.map((x) => x.bytes / 1e6 / x.seconds)).toFixed(0)} MB/s, peak RSS ${median(xs.map((x) => x.maxRssMiB)).toFixed(0)} MiB`);
  }
  console.log(`lakegraph query member-activity --since 1d, whole process (median of ${QUERIES}, min–max):`);
  for (const [label, { ms, rss }] of Object.entries(queries)) console.log(`  ${label.padEnd(42)} ${range(ms.map((m) => m / 1000), 2)} s, peak RSS ${median(rss).toFixed(0)} MiB`);
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
} finally {
  if (flags.keep) {
    console.log(`kept the services and the lake: --services ${services.stateDir}`);
  } else {
    await services.down('rest-catalog', 'object-store').catch((error: Error) => console.error(`infra/local/down: ${error.message}`));
    await services.remove();
  }
  await rm(scratch, { recursive: true, force: true });
}
