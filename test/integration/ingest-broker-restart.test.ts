/**
 * `lakegraph ingest` while its broker is stopped and restarted mid-stream: the process
 * outlives the outage, reads the rest, and the lake equals the oracle.
 *
 * The broker is the test's own (infra/local/up with a private state directory and free
 * ports), so the shared broker of docs/CONTRACTS.md §5, which other tests and people use, never
 * goes down. Every wait has a deadline that names what it waited for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { produceRecords } from '../../src/stream/kafka/produce-records.js';
import { assertLakeEqualsOracle, createTopic, startIngest, testKafka, uniqueName, waitUntilCommitted, withScratch } from '../support/ingest-harness.js';
import { REPO_ROOT } from '../support/services.js';

const PARTITIONS = 4;
const BASE_TS = Date.UTC(2026, 0, 1);

/** `work`, or a failure naming `what` once `ms` have passed without it settling. */
async function step<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ports nothing listens on right now (held together, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A KRaft broker of this test's own, run by infra/local/up and down with a private state directory and ports. */
class PrivateBroker {
  private constructor(
    readonly address: string,
    readonly stateDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async create(): Promise<PrivateBroker> {
    const [port, controllerPort] = await freePorts(2);
    const stateDir = await mkdtemp(join(tmpdir(), 'lakegraph-broker-'));
    return new PrivateBroker(`127.0.0.1:${port}`, stateDir, {
      LAKEGRAPH_LOCAL_STATE: stateDir,
      LAKEGRAPH_KAFKA_PORT: String(port),
      LAKEGRAPH_KAFKA_CONTROLLER_PORT: String(controllerPort!),
    });
  }

  /** Starts it (formatting the storage the first time) and resolves once it answers. */
  up(): Promise<void> {
    return step(`infra/local/up kafka (${this.address})`, 120_000, this.script('up'));
  }

  down(): Promise<void> {
    return step(`infra/local/down kafka (${this.address})`, 60_000, this.script('down'));
  }

  private async script(name: 'up' | 'down'): Promise<void> {
    await promisify(execFile)(join(REPO_ROOT, 'infra', 'local', name), ['kafka'], { env: { ...process.env, ...this.env } });
  }
}

let broker: PrivateBroker | undefined;
let passed = false;
// Also after a failed or timed-out test: the broker runs detached and would outlive the file.
after(async () => {
  if (broker === undefined) return;
  await broker.down();
  if (passed) await rm(broker.stateDir, { recursive: true, force: true });
  else console.log(`kept the private broker's state and log in ${broker.stateDir}`);
});

// The deadlines below name the step that hangs; this one only ends the test before test/run.mjs ends the file (10 min).
test('broker stopped and restarted mid-stream: no loss, no duplicate', { timeout: 540_000 }, (t) => withScratch(t, async ({ warehouse, log }) => {
  broker = await PrivateBroker.create();
  await broker.up();
  const kafka = testKafka(broker.address);
  const contract = 'app.games';
  const topic = uniqueName('it.broker.app.games');
  await step(`creating ${topic}`, 60_000, createTopic(kafka, topic, PARTITIONS));
  const records = [...new RecordGenerator({ events: 24_000, seed: 13, topics: [contract], partitions: PARTITIONS, dupRatio: 0.08, badRatio: 0.02, spanMs: 30 * 60_000, baseTs: BASE_TS })];
  const half = records.length / 2;
  // The window is still open when the broker goes (commit interval) and DLQ sends are due
  // right after it is back; the process must neither exit nor lose its place.
  const ingest = startIngest(['--topic', topic, '--contract', contract, '--warehouse', warehouse, '--commit-interval-ms', '1500', '--session-timeout-ms', '6000'], {}, log('ingest'), broker.address);
  try {
    await step('ingest printing "partitions assigned"', 60_000, ingest.waitFor('partitions assigned'));
    assert.equal(await step('producing the first half', 60_000, produceRecords(kafka, topic, records.slice(0, half))), half);
    await sleep(300);
    await broker.down();
    await sleep(2_000);
    await broker.up();
    assert.equal(ingest.child.exitCode, null, 'ingest outlived the broker restart');
    assert.equal(await step('producing the second half after the restart', 120_000, produceRecords(kafka, topic, records.slice(half))), records.length - half);
    await step('the lake committing every produced record', 150_000, waitUntilCommitted(kafka, warehouse, topic, 120_000));
    ingest.child.kill('SIGTERM');
    const end = await step('ingest exiting on SIGTERM', 60_000, ingest.exited);
    assert.equal(end.code, 0, `ingest stopped cleanly on SIGTERM:\n${end.stdout.slice(-3000)}\n${end.stderr.slice(-2000)}`);
  } finally {
    ingest.child.kill('SIGKILL');
  }
  await step('reading the lake back', 120_000, assertLakeEqualsOracle(warehouse, contract, records));
  passed = true;
}));
