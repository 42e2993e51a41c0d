/**
 * Graph query latency over a large committed warehouse plus a live Kafka tail (issue 4):
 * p50/p99 of member-activity (5-minute window), neighbors and 3-hop khop through a
 * QuerySession as `serve` runs it (edge index of the snapshot ∪ hot tier), next to the same sql/ files over a
 * plain `read_parquet` of every data file (no planning, no tail) in the same run; then
 * freshness, produce → visible in member-activity.
 *
 *   node dist/bench/query.js [--rows 20000000] [--chunk-rows 500000] [--iterations 40] [--baseline-iterations 10]
 *                            [--tail-rate 1000] [--freshness-samples 30] [--brokers H:P]
 *
 * The warehouse is synthetic `graph.edges` rows (bench/edge-table.ts) committed in chunks,
 * each chunk shifted to its own ten minutes of event time so the newest chunk ends now,
 * like a streaming writer's history. The live tail is a topic of its own fed app.playback
 * events at --tail-rate while the queries run, and a real `lakegraph ingest` process
 * commits it every 2 s into the same warehouse; the session refreshes every 200 ms as
 * `serve` does, so the hot tier holds what a running service would, and swaps happen
 * while the queries run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance, timestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import { Partitioners, type Producer } from 'kafkajs';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { EDGES_SCHEMA } from '../src/lake/tables.js';
import { parseGraphRequest, type QueryName } from '../src/query/graph-request.js';
import { QuerySession } from '../src/query/query-session.js';
import { snapshotSelect } from '../src/query/snapshot-views.js';
import { runLibraryQuery, type QueryVariables } from '../src/query/sql-library.js';
import { createKafka } from '../src/stream/kafka/kafka-client.js';
import { ensureTopic } from '../src/stream/kafka/topic-admin.js';
import { jsonLog } from '../src/stream/metrics/json-log.js';
import { positiveFlag } from './bench-flags.js';
import { writeEdgeHistory } from './edge-history.js';
import { ACCOUNTS, feedTail, percentiles, PROFILES } from './tail-traffic.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000000' },
    'chunk-rows': { type: 'string', default: '500000' },
    iterations: { type: 'string', default: '40' },
    // The read_parquet baseline takes seconds per query at 20M rows.
    'baseline-iterations': { type: 'string', default: '10' },
    'tail-rate': { type: 'string', default: '1000' },
    'freshness-samples': { type: 'string', default: '30' },
    brokers: { type: 'string', default: process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092' },
  },
});
const positive = (name: keyof typeof flags) => positiveFlag(flags, name);
const ROWS = positive('rows');
const CHUNK_ROWS = positive('chunk-rows');
const ITERATIONS = positive('iterations');
const BASELINE_ITERATIONS = positive('baseline-iterations');
const TAIL_RATE = positive('tail-rate');
const FRESHNESS_SAMPLES = positive('freshness-samples');

interface Case {
  readonly label: string;
  readonly query: QueryName;
  /** Random options of the request, named like the CLI flags. */
  readonly options: () => Record<string, string>;
  /** The same request as sql/ variables, for the plain read_parquet run. */
  readonly variables: (options: Record<string, string>, sinceMicros: bigint) => QueryVariables;
  readonly library: string;
}

const pick = (n: number) => Math.floor(Math.random() * n);
const CASES: readonly Case[] = [
  {
    label: 'member-activity --account (5m)',
    query: 'member-activity',
    options: () => ({ account: `a-${pick(ACCOUNTS)}`, since: '5m' }),
    variables: (o, since) => ({ account_id: o['account']!, profile_id: null, since: timestampTZValue(since) }),
    library: 'member_activity',
  },
  {
    label: 'member-activity --profile (5m)',
    query: 'member-activity',
    options: () => ({ profile: `p-${pick(PROFILES)}`, since: '5m' }),
    variables: (o, since) => ({ account_id: null, profile_id: o['profile']!, since: timestampTZValue(since) }),
    library: 'member_activity',
  },
  {
    label: 'neighbors --node profile (all time)',
    query: 'neighbors',
    options: () => ({ node: `profile:p-${pick(PROFILES)}` }),
    variables: (o) => ({ node_type: 'profile', node_id: o['node']!.slice('profile:'.length), edge_type: null, since: timestampTZValue(-62_135_596_800_000_000n) }),
    library: 'neighbors',
  },
  {
    label: 'khop --node account --hops 3 (all time)',
    query: 'khop',
    options: () => ({ node: `account:a-${pick(ACCOUNTS)}`, hops: '3' }),
    variables: (o) => ({ node_type: 'account', node_id: o['node']!.slice('account:'.length), hops: 3, fanout: 50, since: timestampTZValue(-62_135_596_800_000_000n) }),
    library: 'khop',
  },
];

async function timePlanned(session: QuerySession, c: Case): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const parsed = parseGraphRequest(c.query, c.options(), Date.now());
    if (!parsed.ok) throw new Error(parsed.issues.join('; '));
    const started = performance.now();
    await session.graphQuery(parsed.request);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function timePlain(connection: DuckDBConnection, c: Case): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < BASELINE_ITERATIONS; i++) {
    const variables = c.variables(c.options(), BigInt(Date.now() - 5 * 60_000) * 1000n);
    const started = performance.now();
    await runLibraryQuery(connection, c.library, variables);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function freshness(session: QuerySession, producer: Producer, topic: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < FRESHNESS_SAMPLES; i++) {
    const account = `a-fresh-${randomBytes(4).toString('hex')}`;
    const value = JSON.stringify({ event_id: account, event_type: 'play_start', ts: Date.now(), account_id: account, profile_id: `${account}-p`, device_id: `${account}-d`, title_id: 't-1' });
    const started = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key: account, value }] });
    for (;;) {
      const parsed = parseGraphRequest('member-activity', { account }, Date.now());
      if (!parsed.ok) throw new Error(parsed.issues.join('; '));
      const { edges } = await session.graphQuery(parsed.request);
      if (edges.length > 0) break;
      if (performance.now() - started > 30_000) throw new Error(`${account} not visible within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    samples.push(performance.now() - started);
  }
  return samples;
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-bench-query-'));
const kafka = createKafka(flags.brokers!.split(','), 'lakegraph-bench-query', jsonLog('error', (line) => process.stderr.write(line)));
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const topic = `bench.query.${randomBytes(4).toString('hex')}`;
try {
  const catalog = new FilesystemCatalog(warehouse);
  await writeEdgeHistory(catalog, ROWS, CHUNK_ROWS, Date.now() * 1000);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, 4).finally(() => admin.disconnect());
  const ingest = spawn(process.execPath, [CLI, 'ingest', '--topic', topic, '--contract', 'app.playback', '--brokers', flags.brokers!, '--warehouse', warehouse, '--commit-interval-ms', '2000', '--log-level', 'error'], { stdio: 'ignore' });
  const ingestExited = new Promise((resolve) => ingest.on('exit', resolve));
  await producer.connect();
  const tail = feedTail(producer, topic, TAIL_RATE);
  const indexStarted = performance.now();
  const session = await QuerySession.open({ catalog, hot: { kafka, topics: [{ topic, contract: 'app.playback' }] }, edgeIndex: {} });
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  const refresher = setInterval(() => void session.refresh().catch(() => {}), 200);

  const plainInstance = await DuckDBInstance.create(':memory:');
  const plain = await plainInstance.connect();
  await plain.run("SET TimeZone = 'UTC'");
  await plain.run('SET parquet_metadata_cache = true'); // as the session does: the comparison is about planning
  const files = await session.query(async ({ snapshot }) => snapshot.edges.files.map((f) => f.filePath));
  await plain.run(`CREATE VIEW edges AS ${snapshotSelect(EDGES_SCHEMA, files)}`);

  console.log(`bench/query: ${ROWS.toLocaleString('en-US')} edge rows in ${files.length} data files (${Math.ceil(ROWS / CHUNK_ROWS)} commits), tail at ${TAIL_RATE} events/s, ${ITERATIONS} iterations per query (${BASELINE_ITERATIONS} for the baseline); session opened with its edge index in ${indexSeconds.toFixed(1)} s (${process.memoryUsage().rss / 2 ** 20 | 0} MiB resident)`);
  for (const c of CASES) {
    await timePlanned(session, c); // warm-up: file metadata and the Parquet footers in DuckDB's cache
    // How long the service's thread was kept from running ready work (planning, indexing, GC) while the queries ran.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const planned = await timePlanned(session, c);
    loopDelay.disable();
    await timePlain(plain, c);
    const plainSamples = await timePlain(plain, c);
    const delay = `event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`;
    console.log(`${c.label.padEnd(42)} session: ${percentiles(planned).padEnd(30)} plain read_parquet: ${percentiles(plainSamples).padEnd(30)} ${delay}`);
  }
  const fresh = await freshness(session, producer, topic);
  const sent = await tail.stop();
  const { hotEdgeRows, swaps } = session.stats();
  console.log(`freshness, produce → visible in member-activity (${FRESHNESS_SAMPLES} samples): ${percentiles(fresh)}; ${sent.toLocaleString('en-US')} tail events, ${swaps} snapshot swaps, ${hotEdgeRows.toLocaleString('en-US')} hot edge rows at the end`);
  clearInterval(refresher);
  ingest.kill('SIGTERM');
  await ingestExited;
  plain.closeSync();
  plainInstance.closeSync();
  await session.close();
} finally {
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  await rm(warehouse, { recursive: true, force: true });
}
