/**
 * Freshness and the snapshot/tail boundary, end to end with real processes: a running
 * `lakegraph ingest` commits a per-test topic to a fresh warehouse while a running
 * `lakegraph serve` tails the same topic. Round after round, one member's events are
 * produced while filler traffic keeps the ingest committing every COMMIT_INTERVAL_MS.
 * Each round checks, against the oracle of every record produced so far:
 *   - every member-activity answer is a subset of the truth (nothing counted twice, ever);
 *   - the answer reaches the truth while the warehouse does not yet hold the records
 *     (seen from the hot tier), in most rounds;
 *   - once serve has swapped in a snapshot that holds them, the answer is still exactly
 *     the truth (the tail the snapshot covers was dropped).
 * Then the one-shot `lakegraph query` agrees, the lake equals the oracle, serve answers
 * bad requests with 4xx and stays up, and both processes exit 0 on SIGTERM.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Partitioners, type Producer } from 'kafkajs';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { carriedProperties } from '../../src/lake/spec/carried-properties.js';
import type { SnapshotId } from '../../src/lake/spec/snapshot.js';
import { currentSnapshot, type TableMetadata } from '../../src/lake/spec/table-metadata.js';
import { NAMESPACE } from '../../src/lake/tables.js';
import type { GraphResult } from '../../src/query/graph-result.js';
import { positionsOf } from '../../src/stream/job/source-positions.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { assertLakeEqualsOracle, BROKERS, startIngest, testKafka, uniqueName } from '../support/ingest-harness.js';
import { runCli, startServe, type ServeProcess } from '../support/cli-process.js';
import { edgeKey, oracle, type OracleResult } from '../support/oracle.js';
import { assertListening, withTempDir } from '../support/services.js';

const CONTRACT = 'app.playback';
const ROUNDS = 12;
const COMMIT_INTERVAL_MS = 2_500;
const FILLER_EVERY_MS = 150;
/** How long a step may take on a loaded 2-core machine before the test calls it stuck. */
const STEP_DEADLINE_MS = 20_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = STEP_DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Records as produced, with the partition and offset the broker gave them. */
class ProducedLog {
  readonly records: SourceRecord[] = [];

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /** Sends one account's events (one key, so one partition); returns the offsets they got. */
  async send(account: string, values: readonly string[]): Promise<{ partition: number; first: number; last: number }> {
    const key = Buffer.from(account);
    const [meta] = await this.producer.send({ topic: this.topic, acks: -1, messages: values.map((value) => ({ key, value })) });
    const partition = meta!.partition;
    const first = Number(meta!.baseOffset);
    values.forEach((value, i) => this.records.push({ topic: this.topic, partition, offset: first + i, key, value: Buffer.from(value), timestamp: Date.now() }));
    return { partition, first, last: first + values.length - 1 };
  }

  /** The oracle of everything sent, read under the contract topic's rules, in offset order per partition. */
  truth(): OracleResult {
    const ordered = [...this.records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    return oracle(ordered.map((r) => ({ topic: CONTRACT, partition: r.partition, value: r.value })));
  }
}

/** An app.playback event of one of the account's two profiles on one of its three devices. */
function playEvent(account: string, i: number, eventId: string, ts: number): string {
  return JSON.stringify({
    event_id: eventId,
    event_type: ['play_start', 'play_heartbeat', 'play_pause', 'play_stop'][i % 4],
    ts,
    account_id: account,
    profile_id: `${account}-p${i % 2}`,
    device_id: `${account}-d${i % 3}`,
    title_id: `t-${i % 5}`,
    position_ms: i * 60_000,
  });
}

/** One round's member: eight events out of ts order, one of them delivered twice, and one bad record. */
function memberEvents(account: string, now: number): string[] {
  const events = Array.from({ length: 8 }, (_, i) => playEvent(account, i, `${account}-e${i}`, now - ((i * 7) % 8) * 1_000));
  return [...events, events[0]!, '{"not": "an event"'];
}

type EdgeFigures = Map<string, [string, string, number]>;

function sameFigures(a: EdgeFigures, b: EdgeFigures): boolean {
  return a.size === b.size && [...a].every(([key, figures]) => JSON.stringify(figures) === JSON.stringify(b.get(key)));
}

const sorted = (figures: EdgeFigures) => new Map([...figures].sort());

function figuresOf(result: GraphResult): EdgeFigures {
  return new Map(result.edges.map((e) => [edgeKey(e), [e.first_seen, e.last_seen, e.event_count]]));
}

/** member-activity --account as the oracle has it (the window holds every event of these tests). */
function expectedActivity(truth: OracleResult, account: string): EdgeFigures {
  const edges = [...truth.edges.values()];
  const profiles = new Set(edges.filter((e) => e.edge_type === 'has_profile' && e.src_id === account).map((e) => e.dst_id));
  const mine = edges.filter((e) => (e.src_type === 'account' && e.src_id === account) || (e.src_type === 'profile' && profiles.has(e.src_id)));
  const iso = (ms: number) => new Date(ms).toISOString();
  return new Map(mine.map((e) => [edgeKey(e), [iso(e.first_seen), iso(e.last_seen), e.event_count]]));
}

/** No edge the truth lacks, and no edge counted more often than the truth says. */
function assertSubsetOfTruth(got: EdgeFigures, expected: EdgeFigures, where: string): void {
  for (const [key, [, , count]] of got) {
    const truth = expected.get(key);
    assert.ok(truth !== undefined, `${where}: edge ${key} is not in the oracle`);
    assert.ok(count <= truth[2], `${where}: edge ${key} counted ${count} times, the oracle says ${truth[2]}`);
  }
}

/** The next offset the table's given (or current) snapshot does not hold, on `partition`. */
function committedOffset(metadata: TableMetadata, topic: string, partition: number, snapshotId?: SnapshotId): number {
  const snapshot = snapshotId === undefined ? currentSnapshot(metadata) : metadata.snapshots?.find((s) => s['snapshot-id'] === snapshotId);
  return positionsOf(carriedProperties(metadata, snapshot), topic).offsets.get(partition) ?? 0;
}

test('serve answers member-activity from the Kafka tail before a commit, and counts each event once after it', { timeout: 150_000 }, async () => {
  await assertListening(BROKERS.split(',')[0]!);
  await withTempDir(async (warehouse) => {
    const topic = uniqueName('query-fresh');
    const catalog = new FilesystemCatalog(warehouse);
    const edgesTable = () => catalog.loadTable({ namespace: [NAMESPACE], name: 'edges' });
    const kafka = testKafka();
    const ingest = startIngest(['--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--commit-interval-ms', String(COMMIT_INTERVAL_MS)]);
    let serve: ServeProcess | undefined;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    let filling = true;
    let filler: Promise<void> = Promise.resolve();
    try {
      // ingest creates the topic and the tables before it says it is starting; serve needs both.
      await ingest.waitFor('"msg":"ingest starting"');
      serve = await startServe(['--brokers', BROKERS, '--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse, '--refresh-ms', '100']);
      await producer.connect();
      const produced = new ProducedLog(producer, topic);
      const activity = async (account: string) => {
        const { status, body } = await getJson(`${serve!.url}/v1/query/member-activity?account=${encodeURIComponent(account)}`);
        assert.equal(status, 200, JSON.stringify(body));
        return figuresOf(body as unknown as GraphResult);
      };

      // Other members' traffic, so the ingest commits on its interval all along.
      filler = (async () => {
        for (let n = 0; filling; n++) {
          const account = `a-filler-${n % 40}`;
          await produced.send(account, [playEvent(account, n, `filler-${n}`, Date.now())]);
          await new Promise((resolve) => setTimeout(resolve, FILLER_EVERY_MS));
        }
      })();

      const accounts: string[] = [];
      const freshnessMs: number[] = [];
      let seenBeforeCommit = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const account = `a-fresh-${round}`;
        accounts.push(account);
        const sentAt = performance.now();
        const { partition, first, last } = await produced.send(account, memberEvents(account, Date.now()));
        const expected = expectedActivity(produced.truth(), account);

        await until(`round ${round}: ${account} visible`, async () => {
          const got = await activity(account);
          assertSubsetOfTruth(got, expected, `round ${round} before visible`);
          return sameFigures(got, expected) ? true : undefined;
        });
        freshnessMs.push(performance.now() - sentAt);
        // Read after the answer: if the lake does not hold the records now, it did not then.
        if (committedOffset(await edgesTable(), topic, partition) <= first) seenBeforeCommit++;

        // Wait for a commit that holds them, then for serve to swap that snapshot in.
        await until(`round ${round}: committed`, async () => (committedOffset(await edgesTable(), topic, partition) > last ? true : undefined));
        await until(`round ${round}: serve swapped`, async () => {
          const { body } = await getJson(`${serve!.url}/healthz`);
          const snapshotId = (body['snapshotIds'] as Record<string, number | null>)['edges'] ?? undefined;
          return committedOffset(await edgesTable(), topic, partition, snapshotId === undefined ? undefined : BigInt(snapshotId)) > last ? true : undefined;
        });
        const after = await activity(account);
        assert.deepEqual(sorted(after), sorted(expected), `round ${round}: after the commit, each event counted once`);
      }
      filling = false;
      await filler;

      const commits = (await edgesTable()).snapshots?.length ?? 0;
      freshnessMs.sort((a, b) => a - b);
      process.stderr.write(`freshness over ${ROUNDS} rounds: p50 ${freshnessMs[ROUNDS >> 1]!.toFixed(0)} ms, max ${freshnessMs[ROUNDS - 1]!.toFixed(0)} ms; seen before the commit in ${seenBeforeCommit} rounds; ${commits} edge commits\n`);
      assert.ok(seenBeforeCommit >= ROUNDS / 2, `seen before any commit covered them in only ${seenBeforeCommit} of ${ROUNDS} rounds`);
      assert.ok(commits >= ROUNDS, `${commits} commits`);

      // The last filler records may be in either tier now; every member still equals the truth.
      const truth = produced.truth();
      const deadline = Date.now() + STEP_DEADLINE_MS;
      for (const account of [...accounts, 'a-filler-0', 'a-filler-39']) {
        const expected = expectedActivity(truth, account);
        let last: EdgeFigures = new Map();
        await until(`final ${account}`, async () => {
          last = await activity(account);
          assertSubsetOfTruth(last, expected, `final ${account}`);
          return sameFigures(last, expected) ? true : undefined;
        }, Math.max(1_000, deadline - Date.now())).catch((error: Error) => assert.deepEqual(sorted(last), sorted(expected), error.message));
      }

      // The one-shot command reads snapshot ∪ tail up to the end offsets of now.
      const query = await runCli(['query', 'member-activity', '--account', 'a-filler-7', '--json', '--brokers', BROKERS, '--topic', topic, '--contract', CONTRACT, '--warehouse', warehouse]);
      assert.equal(query.code, 0, query.stderr);
      assert.deepEqual(sorted(figuresOf(JSON.parse(query.stdout) as GraphResult)), sorted(expectedActivity(truth, 'a-filler-7')), 'lakegraph query');

      // Abuse is answered 4xx with a reason, and the service answers the next request.
      const badNode = await getJson(`${serve.url}/v1/query/neighbors?node=planet:earth`);
      assert.equal(badNode.status, 400);
      assert.match(JSON.stringify(badNode.body['issues']), /TYPE one of account/);
      assert.equal((await getJson(`${serve.url}/v1/query/khop?node=account:a-fresh-0&hops=1000000`)).status, 400);
      assert.equal((await getJson(`${serve.url}/v1/query/member-activity?account=a%27%3B%20DROP%20TABLE%20edges%3B--`)).status, 200);
      assert.equal((await getJson(`${serve.url}/v1/query/nope`)).status, 404);
      const health = await getJson(`${serve.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.body['status'], 'ok');
      assert.match(await (await fetch(`${serve.url}/metrics`)).text(), /lakegraph_query_duration_seconds_count\{query="member-activity"\} \d+/);

      ingest.child.kill('SIGTERM');
      const ingestEnd = await ingest.exited;
      assert.deepEqual({ code: ingestEnd.code, signal: ingestEnd.signal }, { code: 0, signal: null }, ingestEnd.stderr.slice(-2000));
      await assertLakeEqualsOracle(warehouse, CONTRACT, produced.records);

      serve.process.child.kill('SIGTERM');
      const serveEnd = await serve.process.exited;
      assert.deepEqual({ code: serveEnd.code, signal: serveEnd.signal }, { code: 0, signal: null }, serveEnd.stderr.slice(-2000));
      assert.match(serveEnd.stdout, /"msg":"stopped"/);
      serve = undefined;
    } finally {
      filling = false;
      await filler.catch(() => {});
      await producer.disconnect();
      if (ingest.child.exitCode === null) ingest.child.kill('SIGKILL');
      serve?.process.child.kill('SIGTERM');
      await Promise.all([ingest.exited, serve?.process.exited]);
    }
  });
});
