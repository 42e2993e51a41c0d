/**
 * Driving `lakegraph ingest` as real processes against the real broker, and reading back
 * what landed in the lake. Each test uses its own topic (named for the test, with the
 * contract passed explicitly) and its own warehouse directory, so tests never see each
 * other's records.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import type { Kafka } from 'kafkajs';
import { NoSuchTableError, type Catalog } from '../../src/lake/catalog/catalog.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { carriedProperties } from '../../src/lake/spec/carried-properties.js';
import { NAMESPACE, TABLE_NAMES, type TableName } from '../../src/lake/tables.js';
import { positionsOf } from '../../src/stream/job/source-positions.js';
import { QuerySession } from '../../src/query/query-session.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { createKafka } from '../../src/stream/kafka/kafka-client.js';
import { EndOffsets } from '../../src/stream/kafka/end-offsets.js';
import { ensureTopic } from '../../src/stream/kafka/topic-admin.js';
import { jsonLog } from '../../src/stream/metrics/json-log.js';
import { startCli, type CliProcess } from './cli-process.js';
import { edgeKey, nodeKey, oracle, type OracleResult } from './oracle.js';

/** The shared broker (docs/CONTRACTS.md §5); a test with a broker of its own passes that one's address to `testKafka` and `startIngest`. */
export const BROKERS = process.env['LAKEGRAPH_BROKERS'] ?? '127.0.0.1:9092';

export function testKafka(brokers: string = BROKERS): Kafka {
  return createKafka(brokers.split(','), 'lakegraph-test', jsonLog('error', (line) => process.stderr.write(line)));
}

export const uniqueName = (prefix: string): string => `${prefix}.${randomBytes(4).toString('hex')}`;

export interface Scratch {
  readonly warehouse: string;
  /** The log file for the next ingest process, named `<label>-<n>.log`. */
  log(label: string): string;
}

/**
 * Runs `body` with a fresh warehouse and a log directory beside it; removes both if it
 * passes, keeps them for a post-mortem (and says where) if it fails.
 */
export async function withScratch(t: TestContext, body: (scratch: Scratch) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lakegraph-ingest-'));
  await mkdir(join(dir, 'logs'));
  let runs = 0;
  try {
    await body({ warehouse: join(dir, 'warehouse'), log: (label) => join(dir, 'logs', `${label}-${++runs}.log`) });
  } catch (error) {
    t.diagnostic(`kept the warehouse and ingest logs in ${dir}`);
    throw error;
  }
  await rm(dir, { recursive: true, force: true });
}

/** A lake as tests name it: a filesystem warehouse directory, or any catalog (REST on S3, say). */
export type Lake = string | Catalog;

function catalogOf(lake: Lake): Catalog {
  return typeof lake === 'string' ? new FilesystemCatalog(lake) : lake;
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await ensureTopic(admin, topic, partitions), partitions);
  } finally {
    await admin.disconnect();
  }
}

/** The next offset of every partition of `topic`, as the broker reports it. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const ends = new EndOffsets(kafka, topic);
  try {
    return await ends.fetch();
  } finally {
    await ends.close();
  }
}

/**
 * Per partition of `topic`, the furthest offset any graph table's snapshot holds: how far
 * the job has read and committed (a window commits only to the tables it has rows for).
 */
export async function readAndCommitted(lake: Lake, topic: string): Promise<Map<number, number>> {
  const furthest = new Map<number, number>();
  for (const table of TABLE_NAMES) {
    for (const [partition, offset] of await committedOffsets(lake, table, topic)) furthest.set(partition, Math.max(offset, furthest.get(partition) ?? 0));
  }
  return furthest;
}

/** Resolves once the lake's snapshots reach every record of `topic` the broker has; fails after `timeoutMs`. */
export async function waitUntilCommitted(kafka: Kafka, lake: Lake, topic: string, timeoutMs: number): Promise<void> {
  const end = await endOffsets(kafka, topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const committed = await readAndCommitted(lake, topic);
    if ([...end].every(([partition, offset]) => committed.get(partition) === offset)) return;
    if (Date.now() > deadline) assert.fail(`committed ${JSON.stringify([...committed])} of ${topic}, the broker has ${JSON.stringify([...end])}`);
    await sleep(200);
  }
}

export type IngestRun = CliProcess;

/** `logFile`: where the process's stdout and stderr are written when it ends (kept with a failed test's warehouse). */
export function startIngest(args: readonly string[], env: Record<string, string> = {}, logFile?: string, brokers: string = BROKERS): IngestRun {
  const run = startCli(['ingest', '--brokers', brokers, ...args], env);
  if (logFile !== undefined) {
    void run.exited.then(({ code, signal, stdout, stderr }) =>
      writeFileSync(logFile, `# ingest ${args.join(' ')} ${JSON.stringify(env)}\n# exit ${code ?? signal}\n${stdout}\n# stderr\n${stderr}`),
    );
  }
  return run;
}

/** Runs ingest until it exits; asserts how it ended. */
export async function runIngest(args: readonly string[], expect: { exit: 0 } | { killedBy: 'SIGKILL' }, env: Record<string, string> = {}, logFile?: string): Promise<string> {
  const { code, signal, stdout, stderr } = await startIngest(args, env, logFile).exited;
  const how = 'exit' in expect ? { code: expect.exit, signal: null } : { code: null, signal: expect.killedBy };
  assert.deepEqual({ code, signal }, how, `ingest ${args.join(' ')} ${JSON.stringify(env)} ended differently:\n${stdout.slice(-4000)}\n${stderr.slice(-2000)}`);
  return stdout;
}

/** Names one record of one topic; what tells rejected rows (and DLQ records) apart across topics. */
export const sourcePosition = (topic: string, partition: number, offset: number): string => `${topic}/${partition}:${offset}`;

export interface LakeAggregates {
  edges: Map<string, number[]>;
  nodes: Map<string, number[]>;
  rejected: number;
  /** `topic/partition:offset` of every rejected row, to check none is in twice. */
  rejectedPositions: string[];
}

export async function lakeAggregates(lake: Lake): Promise<LakeAggregates> {
  const session = await QuerySession.open({ catalog: catalogOf(lake) });
  try {
    const read = (sql: string) => session.query(async ({ connection }) => (await connection.runAndReadAll(sql)).getRowsJS());
    const edges = new Map<string, number[]>();
    const edgeSql = 'SELECT edge_type, src_type, src_id, dst_type, dst_id, epoch_ms(min(first_seen)), epoch_ms(max(last_seen)), sum(event_count)::BIGINT FROM edges GROUP BY ALL';
    for (const [t, st, s, dt, d, f, l, c] of await read(edgeSql)) {
      edges.set(edgeKey({ edge_type: t as string, src_type: st as string, src_id: s as string, dst_type: dt as string, dst_id: d as string }), [Number(f), Number(l), Number(c)]);
    }
    const nodes = new Map<string, number[]>();
    for (const [t, id, f, l, c] of await read('SELECT node_type, node_id, epoch_ms(min(first_seen)), epoch_ms(max(last_seen)), sum(event_count)::BIGINT FROM nodes GROUP BY ALL')) {
      nodes.set(nodeKey({ node_type: t as string, node_id: id as string }), [Number(f), Number(l), Number(c)]);
    }
    const rejectedPositions = (await read('SELECT topic, "partition", "offset" FROM rejected_events')).map(([t, p, o]) => sourcePosition(t as string, Number(p), Number(o)));
    return { edges, nodes, rejected: rejectedPositions.length, rejectedPositions };
  } finally {
    await session.close();
  }
}

/** The lake holds exactly what the oracle derives from `records` (read as the contract topic's). */
export function assertLakeEqualsOracle(lake: Lake, contract: string, records: readonly SourceRecord[]): Promise<void> {
  return assertLakeEqualsOracleOfTopics(lake, [{ contract, records }]);
}

/** Several topics ingested into one lake, each with its own contract. */
export function assertLakeEqualsOracleOfTopics(lake: Lake, topics: ReadonlyArray<{ contract: string; records: readonly SourceRecord[] }>): Promise<void> {
  return assertLakeHolds(lake, oracleOf(topics));
}

export function oracleOf(topics: ReadonlyArray<{ contract: string; records: readonly SourceRecord[] }>): OracleResult {
  return oracle(topics.flatMap(({ contract, records }) => records.map((r) => ({ topic: contract, partition: r.partition, value: r.value }))));
}

/** The lake holds exactly `expected`: an oracle's result, with other engines' changes to the tables applied where a test made some. */
export async function assertLakeHolds(lake: Lake, expected: OracleResult): Promise<void> {
  const actual = await lakeAggregates(lake);
  assert.equal(actual.edges.size, expected.edges.size, 'distinct edges');
  for (const [key, e] of expected.edges) assert.deepEqual(actual.edges.get(key), [e.first_seen, e.last_seen, e.event_count], `edge ${key}`);
  assert.equal(actual.nodes.size, expected.nodes.size, 'distinct nodes');
  for (const [key, n] of expected.nodes) assert.deepEqual(actual.nodes.get(key), [n.first_seen, n.last_seen, n.event_count], `node ${key}`);
  const rejected = [...expected.rejectedByTopic.values()].reduce((sum, n) => sum + n, 0);
  assert.equal(actual.rejected, rejected, 'rejected rows');
  assert.equal(new Set(actual.rejectedPositions).size, actual.rejected, 'no rejected record twice');
}

/** Per partition, the next offset of `topic` that `table`'s current snapshot holds (empty before the first commit). */
export async function committedOffsets(lake: Lake, table: TableName, topic: string): Promise<ReadonlyMap<number, number>> {
  try {
    const metadata = await catalogOf(lake).loadTable({ namespace: [NAMESPACE], name: table });
    return positionsOf(carriedProperties(metadata), topic).offsets;
  } catch (error) {
    if (error instanceof NoSuchTableError) return new Map();
    throw error;
  }
}
