/**
 * Live push (docs/CONTRACTS.md §7), end to end with real processes on the shared broker:
 * a `lakegraph ingest` commits a topic of its own every second while `lakegraph serve`
 * (with a bearer token and --max-watchers 2) tails it. One member's events — duplicates,
 * out of ts order, a bad record — are produced while a client watches over HTTP; the
 * edges it is pushed converge to the oracle, through the snapshot swaps of the commits.
 * The connection is cut mid-way and resumed with Last-Event-ID: the event ids go on
 * without a gap and nothing is lost. Then: the watcher bound (503), the token (401), a
 * Last-Event-ID the service does not know (a fresh snapshot equal to the HTTP query),
 * heartbeats, and SIGTERM with streams open.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Partitioners, type Producer } from 'kafkajs';
import type { GraphEdge, GraphResult } from '../../src/query/graph-result.js';
import { startServe, type CliProcess } from '../support/cli-process.js';
import { BROKERS, createTopic, startIngest, testKafka, uniqueName, type IngestRun } from '../support/ingest-harness.js';
import { edgeKey, oracle, oracleMemberActivity, type OracleRecord } from '../support/oracle.js';
import { step } from '../support/private-services.js';
import { SseStream, type SseEvent } from '../support/sse-client.js';

const CONTRACT = 'app.playback';
const TOKEN = 'watch-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const EVENT_WAIT_MS = 20_000;

let dir: string;
let warehouse: string;
let topic: string;
let producer: Producer;
let ingest: IngestRun;
let serve: CliProcess;
let url: string;
/** Everything produced, in offset order (one partition). */
const produced: OracleRecord[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-serve-watch-'));
  warehouse = join(dir, 'warehouse');
  topic = uniqueName('test.watch');
  const kafka = testKafka();
  await createTopic(kafka, topic, 1);
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  ingest = startIngest(['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--commit-interval-ms', '1000']);
  // ingest creates the tables before it says it is starting; serve needs them.
  await step('ingest starting', 30_000, ingest.waitFor('"msg":"ingest starting"'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  ({ process: serve, url } = await startServe(['--brokers', BROKERS, '--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--refresh-ms', '100', '--auth-token-file', tokenFile, '--max-watchers', '2'], {}, 30_000));
});

// Processes still running (a failed test) are killed by cli-process.
after(async () => {
  await producer?.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** One app.playback event of the account: two profiles, three devices, four titles. */
function playEvent(account: string, n: number, ts: number): string {
  return JSON.stringify({ event_id: `${account}-e${n}`, event_type: n % 2 ? 'play_heartbeat' : 'play_start', ts, account_id: account, profile_id: `${account}-p${n % 2}`, device_id: `${account}-d${n % 3}`, title_id: `t-${n % 4}` });
}

/** Events `from`..`to`-1 of the account out of ts order, the first one delivered twice, and a record that is no event. */
async function produce(account: string, from: number, to: number): Promise<void> {
  const now = Date.now();
  const values: string[] = [];
  for (let n = from; n < to; n++) values.push(playEvent(account, n, now - ((n * 5) % 7) * 1_000));
  values.push(values[0]!, '{"event_type": "play_start"');
  const [meta] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: account, value })) });
  for (const value of values) produced.push({ topic: CONTRACT, partition: meta!.partition, value: Buffer.from(value) });
}

const watchUrl = (account: string, query = '') => `${url}/v1/watch/member-activity?account=${encodeURIComponent(account)}${query}`;

/** The account's edges as the oracle has them, all time. */
function truthOf(account: string): Map<string, GraphEdge> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return new Map(oracleMemberActivity(oracle(produced), { account }, -Infinity).map((e) => [edgeKey(e), { ...e, first_seen: iso(e.first_seen), last_seen: iso(e.last_seen) }]));
}

const figures = (edges: ReadonlyMap<string, GraphEdge>) => JSON.stringify([...edges].sort(([a], [b]) => (a < b ? -1 : 1)));

/** What a watcher has been pushed: the snapshot's edges, then each edge event over them. */
class Pushed {
  readonly edges = new Map<string, GraphEdge>();
  lastId: string | undefined;
  snapshots = 0;
  /** The n of each edge event id `<feed>.<n>`, in arrival order. */
  readonly sequence: number[] = [];

  apply(event: SseEvent): void {
    assert.ok(event.id !== undefined, `event without id: ${event.data}`);
    this.lastId = event.id;
    if (event.event === 'snapshot') {
      this.snapshots++;
      for (const edge of (JSON.parse(event.data) as GraphResult).edges) this.edges.set(edgeKey(edge), edge);
      return;
    }
    assert.equal(event.event, 'edge');
    const edge = JSON.parse(event.data) as GraphEdge;
    this.edges.set(edgeKey(edge), edge);
    this.sequence.push(Number(event.id.slice(event.id.lastIndexOf('.') + 1)));
  }

  /** Reads events until the pushed edges equal the oracle's. */
  async converge(stream: SseStream, account: string): Promise<void> {
    const truth = figures(truthOf(account));
    while (figures(this.edges) !== truth) this.apply(await stream.next(EVENT_WAIT_MS));
  }
}

test('pushed edges converge to the oracle, and a dropped connection resumes with Last-Event-ID losing nothing', { timeout: 90_000 }, async () => {
  const account = uniqueName('a-watch');
  const pushed = new Pushed();
  const first = await SseStream.open(watchUrl(account, '&since=1h'), AUTH);
  assert.equal(first.status, 200);
  assert.match(String(first.response.headers['content-type']), /^text\/event-stream/);
  const snapshot = await first.next(EVENT_WAIT_MS);
  assert.equal(snapshot.event, 'snapshot');
  assert.deepEqual(JSON.parse(snapshot.data), { edges: [] });
  pushed.apply(snapshot);

  await produce(account, 0, 6);
  await step('the first events pushed', EVENT_WAIT_MS, pushed.converge(first, account));
  // Cut while the tail and the commits go on; what happens meanwhile must come on resume.
  first.close();
  await produce(account, 6, 12);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // a commit and a swap while nobody watches
  const resumed = await SseStream.open(watchUrl(account, '&since=1h'), { ...AUTH, 'last-event-id': pushed.lastId! });
  assert.equal(resumed.status, 200);
  await produce(account, 12, 16);
  await step('every event pushed after resuming', EVENT_WAIT_MS, pushed.converge(resumed, account));
  resumed.close();

  assert.equal(pushed.snapshots, 1, 'resuming sends the missed events, not a snapshot');
  assert.deepEqual(pushed.sequence, pushed.sequence.map((_, i) => i + 1), 'edge event ids go on by one, without a gap, across the resume');
  const health = (await (await fetch(`${url}/healthz`)).json()) as { swaps: number };
  assert.ok(health.swaps > 0, 'serve swapped in a snapshot while watched');
});

test('a Last-Event-ID the service does not hold gets a fresh snapshot, equal to the HTTP query', { timeout: 60_000 }, async () => {
  const account = uniqueName('a-fresh');
  await produce(account, 0, 5);
  const query = `${url}/v1/query/member-activity?account=${encodeURIComponent(account)}&since=1h`;
  // Wait until the query answers the oracle, then watch: both read the same edges.
  const truth = figures(truthOf(account));
  await step('the HTTP query answers the oracle', EVENT_WAIT_MS, (async () => {
    for (;;) {
      const { edges } = (await (await fetch(query, { headers: AUTH })).json()) as GraphResult;
      if (figures(new Map(edges.map((e) => [edgeKey(e), e]))) === truth) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })());
  const stream = await SseStream.open(watchUrl(account, '&since=1h'), { ...AUTH, 'last-event-id': 'no-such-feed.7' });
  const snapshot = await stream.next(EVENT_WAIT_MS);
  stream.close();
  assert.equal(snapshot.event, 'snapshot');
  assert.deepEqual(JSON.parse(snapshot.data), await (await fetch(query, { headers: AUTH })).json());
});

test('watchers beyond --max-watchers get 503, the token is required, idle streams get heartbeats', { timeout: 60_000 }, async () => {
  const account = uniqueName('a-bound');
  assert.equal((await SseStream.open(watchUrl(account))).status, 401);
  assert.equal((await SseStream.open(watchUrl(account), { authorization: 'Bearer wrong-token-0123456789' })).status, 401);
  const open = [await SseStream.open(watchUrl(account), AUTH), await SseStream.open(watchUrl(`${account}-2`), AUTH)];
  for (const stream of open) assert.equal((await stream.next(EVENT_WAIT_MS)).event, 'snapshot');
  const refused = await SseStream.open(watchUrl(account), AUTH);
  assert.equal(refused.status, 503);
  assert.match(await refused.body(), /max-watchers/);
  const metrics = await (await fetch(`${url}/metrics`, { headers: AUTH })).text();
  assert.match(metrics, /^lakegraph_watchers 2$/m, '/metrics counts the open streams');
  assert.equal((await SseStream.open(watchUrl(account, '&profile=p-1'), AUTH)).status, 400);
  open[0]!.close();
  // The slot is free once serve sees the connection gone.
  await step('a slot freed', 10_000, (async () => {
    for (;;) {
      const again = await SseStream.open(watchUrl(account), AUTH);
      if (again.status === 200) return again.close();
      await again.body();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })());
  // Heartbeats: a comment line every 5 s on an idle stream.
  await step('a heartbeat', 10_000, (async () => {
    while (open[1]!.comments === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  })());
  open[1]!.close();
});

test('SIGTERM ends the open watch streams and serve exits 0', { timeout: 60_000 }, async () => {
  const stream = await SseStream.open(watchUrl(uniqueName('a-stop')), AUTH);
  assert.equal((await stream.next(EVENT_WAIT_MS)).event, 'snapshot');
  for (const process of [serve, ingest]) {
    process.child.kill('SIGTERM');
    const { code, stderr } = await step('exit after SIGTERM', 30_000, process.exited);
    assert.equal(code, 0, stderr);
  }
  await assert.rejects(stream.next(EVENT_WAIT_MS), /ended/);
});
