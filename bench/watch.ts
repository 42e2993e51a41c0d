/**
 * Live push latency (issue 16): produce one event of a watched member → its `edge` event
 * read by a client of GET /v1/watch/member-activity, against a real `lakegraph serve`
 * process. The baseline in the same run, through the same service: produce one event of
 * a new member → the first GET /v1/query/member-activity answer that holds it, polled
 * every 5 ms (bench/query.ts's freshness, over HTTP). The two alternate sample by sample,
 * so both see the same load.
 *
 *   node dist/bench/watch.js [--rows 1000000] [--samples 100] [--watchers 20] [--tail-rate 500] [--brokers H:P]
 *
 * The warehouse is --rows synthetic edge rows (bench/edge-history.ts); a topic of its own
 * gets app.playback traffic of random synthetic members at --tail-rate, which a real
 * `lakegraph ingest` commits every 2 s, so serve's tail, its swaps and the watched feeds'
 * re-reads after each swap are all part of the figures. --watchers streams stay open, each
 * on an account of its own; each sample produces an event of one of them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Partitioners, type Producer } from 'kafkajs';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { createKafka } from '../src/stream/kafka/kafka-client.js';
import { ensureTopic } from '../src/stream/kafka/topic-admin.js';
import { jsonLog } from '../src/stream/metrics/json-log.js';
import { SseStream } from '../test/support/sse-client.js';
import { positiveFlag } from './bench-flags.js';
import { CLI, startServe, type ServeProcess } from './serve-process.js';
import { writeEdgeHistory } from './edge-history.js';
import { feedTail, percentiles } from './tail-traffic.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '100' },
    watchers: { type: 'string', default: '20' },
    'tail-rate': { type: 'string', default: '500' },
    brokers: { type: 'string', default: process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092' },
  },
});
const positive = (name: keyof typeof flags) => positiveFlag(flags, name);
const ROWS = positive('rows');
const SAMPLES = positive('samples');
const WATCHERS = positive('watchers');
const TAIL_RATE = positive('tail-rate');
const CONTRACT = 'app.playback';
const TIMEOUT_MS = 30_000;
/** serve's tail starts behind the traffic produced while it loaded its index: the warm-up waits for it to catch up. */
const CATCH_UP_MS = 300_000;


/** A play event of the account on a title of its own, so the sample can tell its edge event from earlier ones. */
function playEvent(account: string, title: string): string {
  return JSON.stringify({ event_id: randomBytes(8).toString('hex'), event_type: 'play_start', ts: Date.now(), account_id: account, profile_id: `${account}-p`, device_id: `${account}-d`, title_id: title });
}

/** Produce → the edge event of the watched account's new `watched` edge. */
async function pushed(producer: Producer, topic: string, account: string, stream: SseStream, timeoutMs = TIMEOUT_MS): Promise<number> {
  const title = `t-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  await producer.send({ topic, acks: -1, messages: [{ key: account, value: playEvent(account, title) }] });
  for (;;) {
    const event = await stream.next(timeoutMs);
    if (event.event === 'edge' && event.data.includes(`"dst_id":"${title}"`)) return performance.now() - started;
  }
}

/** Produce → the first HTTP member-activity answer that holds the new account's edges. */
async function polled(producer: Producer, topic: string, url: string): Promise<number> {
  const account = `a-poll-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  await producer.send({ topic, acks: -1, messages: [{ key: account, value: playEvent(account, 't-1') }] });
  for (;;) {
    // A query that ran out of time (503, on a loaded machine) has not shown the edges yet either.
    const { edges } = (await (await fetch(`${url}/v1/query/member-activity?account=${account}`)).json()) as { edges?: unknown[] };
    if (edges !== undefined && edges.length > 0) return performance.now() - started;
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`${account} not visible within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-bench-watch-'));
const kafka = createKafka(flags.brokers!.split(','), 'lakegraph-bench-watch', jsonLog('error', (line) => process.stderr.write(line)));
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const topic = `bench.watch.${randomBytes(4).toString('hex')}`;
let tail: ReturnType<typeof feedTail> | undefined;
let serve: ServeProcess | undefined;
let ingest: ReturnType<typeof spawn> | undefined;
try {
  await writeEdgeHistory(new FilesystemCatalog(warehouse), ROWS, Math.min(ROWS, 500_000), Date.now() * 1000);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, 4).finally(() => admin.disconnect());
  ingest = spawn(process.execPath, [CLI, 'ingest', '--topic', topic, '--contract', CONTRACT, '--brokers', flags.brokers!, '--warehouse', warehouse, '--commit-interval-ms', '2000', '--log-level', 'error'], { stdio: 'ignore' });
  await producer.connect();
  tail = feedTail(producer, topic, TAIL_RATE);
  serve = await startServe(['--brokers', flags.brokers!, '--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--max-watchers', String(WATCHERS)]);
  const { url } = serve;
  const accounts = Array.from({ length: WATCHERS }, (_, i) => `a-watch-${i}-${randomBytes(4).toString('hex')}`);
  const streams = await Promise.all(accounts.map((account) => SseStream.open(`${url}/v1/watch/member-activity?account=${account}`)));
  for (const stream of streams) if ((await stream.next(TIMEOUT_MS)).event !== 'snapshot') throw new Error('a watch did not start with its snapshot');

  // Warm-up: each feed reads its account once with edges, the HTTP path answers once.
  for (let i = 0; i < WATCHERS; i++) await pushed(producer, topic, accounts[i]!, streams[i]!, CATCH_UP_MS);
  await polled(producer, topic, url);
  const push: number[] = [];
  const poll: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const w = i % WATCHERS;
    push.push(await pushed(producer, topic, accounts[w]!, streams[w]!));
    poll.push(await polled(producer, topic, url));
  }
  const sent = await tail.stop();
  console.log(`bench/watch: ${ROWS.toLocaleString('en-US')} edge rows, tail at ${TAIL_RATE} events/s (${sent.toLocaleString('en-US')} sent), ingest committing every 2 s, ${WATCHERS} open watch streams, ${SAMPLES} samples each`);
  console.log(`produce → pushed edge event (watch):          ${percentiles(push)}`);
  console.log(`produce → visible in HTTP member-activity (poll every 5 ms, baseline): ${percentiles(poll)}`);
  for (const stream of streams) stream.close();
} finally {
  await tail?.stop();
  await serve?.stop();
  if (ingest !== undefined && ingest.exitCode === null) {
    const exited = new Promise((resolve) => ingest!.on('exit', resolve));
    ingest.kill('SIGTERM');
    await exited;
  }
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  await rm(warehouse, { recursive: true, force: true });
}
