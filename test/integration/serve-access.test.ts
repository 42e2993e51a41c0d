/**
 * Where `serve` and ingest's metrics endpoint listen, and who `serve` answers (issue 14).
 * Addresses are loopback only: 127.0.0.1 against 127.0.0.2, both on `lo` under Linux.
 * The ingest test runs a topic job on the shared broker with a topic of its own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { startIngest, uniqueName } from '../support/ingest-harness.js';
import { step } from '../support/private-services.js';

const OTHER_LOOPBACK = '127.0.0.2';

let dir: string;
let warehouse: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-serve-access-'));
  warehouse = join(dir, 'warehouse');
  await runEmbeddedPipeline({
    catalog: new FilesystemCatalog(warehouse),
    generator: new RecordGenerator({ events: 1_000, seed: 5, topics: TOPICS, partitions: 2, spanMs: 10 * 60_000, baseTs: Date.UTC(2026, 0, 1) }),
    topics: TOPICS,
    partitions: 2,
    commitIntervalMs: 1_000,
  });
});

after(() => rm(dir, { recursive: true, force: true }));

/** The value of `field` in the first JSON log line with this `msg`, once the process has printed it. */
async function logged(process: CliProcess, msg: string, field: string): Promise<string> {
  await step(`the log line "${msg}"`, 60_000, process.waitFor(`"msg":"${msg}"`));
  const line = process.output().stdout.split('\n').find((l) => l.includes(`"msg":"${msg}"`))!;
  return (JSON.parse(line) as Record<string, string>)[field]!;
}

/** Whether anything accepts a TCP connection on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopped(process: CliProcess): Promise<void> {
  process.child.kill('SIGTERM');
  const { code, stderr } = await step('exit after SIGTERM', 30_000, process.exited);
  assert.equal(code, 0, stderr);
}

test('serve listens on 127.0.0.1 by default and on the --host asked for', async () => {
  for (const [args, host, other] of [
    [[], '127.0.0.1', OTHER_LOOPBACK],
    [['--host', OTHER_LOOPBACK], OTHER_LOOPBACK, '127.0.0.1'],
  ] as const) {
    const serve = startCli(['serve', '--port', '0', '--no-tail', '--warehouse', warehouse, ...args]);
    const url = new URL(await logged(serve, 'serving', 'url'));
    assert.equal(url.hostname, host);
    assert.equal((await fetch(`${url}healthz`)).status, 200);
    assert.equal(await accepts(other, Number(url.port)), false, `serve ${args.join(' ')} also listens on ${other}`);
    await stopped(serve);
  }
});

test('ingest serves /metrics on --metrics-host only, and SIGTERM ends it with 0', async () => {
  const topic = uniqueName('test.listen');
  const ingest = startIngest(['--topic', topic, '--contract', 'app.playback', '--warehouse', join(dir, 'ingest-warehouse'), '--metrics-port', '0', '--metrics-host', OTHER_LOOPBACK]);
  const url = new URL(await logged(ingest, 'ingest starting', 'metrics'));
  assert.equal(url.hostname, OTHER_LOOPBACK);
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /^lakegraph_/m);
  assert.equal(await accepts('127.0.0.1', Number(url.port)), false);
  await stopped(ingest);
});

test('a host that is not an IP address, or a metrics host without a port, exits 2 with one line', async () => {
  for (const args of [
    ['serve', '--host', 'example', '--warehouse', warehouse],
    ['ingest', '--topic', 'app.playback', '--metrics-host', OTHER_LOOPBACK, '--warehouse', warehouse],
    ['ingest', '--topic', 'app.playback', '--metrics-port', '70000', '--warehouse', warehouse],
  ]) {
    const { code, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});
