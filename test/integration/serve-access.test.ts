/**
 * Where `serve` and ingest's metrics endpoint listen, and who `serve` answers (issue 14).
 * Addresses are loopback only: 127.0.0.1 against 127.0.0.2, both on `lo` under Linux.
 * The ingest test runs a topic job on the shared broker with a topic of its own. The TLS
 * test makes a self-signed certificate with `openssl` and is skipped, saying so, without it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { startIngest, uniqueName } from '../support/ingest-harness.js';
import { step } from '../support/private-services.js';

const OTHER_LOOPBACK = '127.0.0.2';
const TOKEN = 'right-token-0123456789';
const QUERY = '/v1/query/member-activity?account=a-1';

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

async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ serve: CliProcess; url: string }> {
  const serve = startCli(['serve', '--port', '0', '--no-tail', '--warehouse', warehouse, ...args], env);
  return { serve, url: await logged(serve, 'serving', 'url') };
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
    const { serve, url: served } = await startServe(args);
    const url = new URL(served);
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
  const text = await response.text();
  assert.match(text, /^lakegraph_/m);
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
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

test('with a token, every route but /healthz needs it in the Authorization header, compared whole', async () => {
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const { serve, url } = await startServe(['--auth-token-file', tokenFile]);
  const status = async (path: string, authorization?: string) => (await fetch(url + path, { headers: authorization ? { authorization } : {} })).status;
  assert.equal(await status('/healthz'), 200, '/healthz stays open for probes');
  for (const [path, authorization] of [
    [QUERY, undefined],
    [QUERY, 'Bearer wrong'],
    [QUERY, `Bearer ${TOKEN.slice(0, -1)}`],
    [QUERY, `Bearer ${TOKEN}x`],
    [QUERY, `Basic ${TOKEN}`],
    [QUERY, TOKEN],
    [`${QUERY}&access_token=${TOKEN}`, undefined],
    [`${QUERY}&token=${TOKEN}`, undefined],
    [`${QUERY}&access_token=${TOKEN}`, `Bearer ${TOKEN}`],
    ['/metrics', undefined],
    ['/no-such-route', undefined],
  ] as const) {
    const response = await fetch(url + path, { headers: authorization ? { authorization } : {} });
    assert.equal(response.status, 401, `${path} with ${authorization}`);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(Object.keys((await response.json()) as object), ['error'], 'nothing beyond the error');
  }
  assert.equal(await status(QUERY, `Bearer ${TOKEN}`), 200);
  assert.equal(await status(QUERY, `bearer ${TOKEN}`), 200, 'the scheme is case-insensitive');
  const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^nodejs_eventloop_lag_p99_seconds [\d.e-]+$/m, 'process metrics beside the service’s');
  assert.equal(await status('/no-such-route', `Bearer ${TOKEN}`), 404);
  await stopped(serve);
});

/** GET over HTTPS trusting only `ca`. */
function httpsGet(url: string, ca: Buffer, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca, headers: authorization ? { authorization } : {} }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    }).once('error', reject);
  });
}

test('--tls-cert and --tls-key make serve answer HTTPS; LAKEGRAPH_AUTH_TOKEN sets the token', async (t) => {
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  try {
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  } catch (error) {
    return t.skip(`no self-signed certificate: openssl failed or is missing (${(error as Error).message.split('\n')[0]})`);
  }
  const { serve, url } = await startServe(['--tls-cert', cert, '--tls-key', key], { LAKEGRAPH_AUTH_TOKEN: TOKEN });
  assert.match(url, /^https:\/\/127\.0\.0\.1:/);
  const ca = await readFile(cert);
  assert.equal(await httpsGet(`${url}/healthz`, ca), 200);
  assert.equal(await httpsGet(url + QUERY, ca), 401);
  assert.equal(await httpsGet(url + QUERY, ca, `Bearer ${TOKEN}`), 200);
  await stopped(serve);
});

test('an unusable token or certificate setting exits 2 with one line', async () => {
  const [empty, spaced, notPem] = [join(dir, 'empty'), join(dir, 'spaced'), join(dir, 'not.pem')];
  await writeFile(empty, '\n');
  await writeFile(spaced, 'two words\n');
  await writeFile(notPem, 'not a certificate\n');
  for (const [args, env] of [
    [['--auth-token-file', join(dir, 'missing')], {}],
    [['--auth-token-file', empty], {}],
    [['--auth-token-file', spaced], {}],
    [['--auth-token-file', empty], { LAKEGRAPH_AUTH_TOKEN: TOKEN }],
    [[], { LAKEGRAPH_AUTH_TOKEN: 'tab\there' }],
    [['--tls-cert', notPem], {}],
    [['--tls-cert', notPem, '--tls-key', notPem], {}],
  ] as const) {
    const { code, stderr } = await runCli(['serve', '--port', '0', '--no-tail', '--warehouse', warehouse, ...args], env);
    assert.equal(code, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});
