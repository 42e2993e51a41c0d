/**
 * lakegraph against a broker that wants TLS and SASL (issue 14): one private broker with
 * SASL_SSL (SCRAM-SHA-512 and PLAIN), SSL with client certificates, and SASL_PLAINTEXT
 * listeners (test/support/secured-broker.ts), shared by every test here. `generate`
 * produces and `ingest` consumes over TLS + SCRAM into a lake equal to the oracle's;
 * `serve` tails over TLS + PLAIN; a wrong password, an untrusted CA, a missing client
 * certificate or TLS against a plaintext listener fail at once, saying so (serve, whose
 * tail is optional, says it on /healthz). Settings that
 * cannot work at all: test/unit/cli-kafka-security-flags.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { runCli, startServe, type CliRun, type ServeProcess } from '../support/cli-process.js';
import { assertLakeEqualsOracle, testKafka, uniqueName } from '../support/ingest-harness.js';
import { serveMemberActivity, sessionMemberActivity, sortedEdgeTexts } from '../support/member-activity-answers.js';
import { step } from '../support/private-services.js';
import { KAFKA_PASSWORD, KAFKA_USER, startSecuredBroker, type SecuredBroker } from '../support/secured-broker.js';

const CONTRACT = 'app.playback' as const;
const PARTITIONS = 2;
const BASE_TS = Date.UTC(2026, 0, 1);
const FIRST = { events: 1_500, seed: 21, dupRatio: 0.03, badRatio: 0.01 };
const SECOND = { events: 500, seed: 22, dupRatio: 0, badRatio: 0 };
const WINDOW = { at: '2026-01-02T00:00:00Z', since: '30d' };
const ACCOUNTS = ['a-1', 'a-2', 'a-3', 'a-5', 'a-8'];
const PASSWORD_ENV = { LAKEGRAPH_KAFKA_SASL_PASSWORD: KAFKA_PASSWORD };

let dir: string;
let broker: SecuredBroker | undefined;
let warehouse: string;
let passed = 0;
const topic = uniqueName('it.kafkasec.app.playback');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-kafka-security-'));
  warehouse = join(dir, 'warehouse');
  broker = await step('the secured broker starting', 120_000, startSecuredBroker(dir));
});

// Also after a failed test: the broker runs detached and would outlive the file.
after(async () => {
  await broker?.services.down();
  if (passed < 3) return console.log(`kept the certificates, warehouse and broker state in ${dir}, ${broker?.services.stateDir}`);
  await rm(dir, { recursive: true, force: true });
  if (broker !== undefined) await broker.services.remove();
});

const on = (b: SecuredBroker | undefined) => b as SecuredBroker;

/** TLS trusting the test CA, and SCRAM-SHA-512 as the test user (password from the environment or --kafka-sasl-password-file). */
const tlsScram = (b: SecuredBroker) => ['--brokers', b.saslSsl, '--kafka-tls', '--kafka-ca', b.files.ca, '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-sasl-username', KAFKA_USER];
const tlsPlain = (b: SecuredBroker) => ['--brokers', b.saslSsl, '--kafka-tls', '--kafka-ca', b.files.ca, '--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', KAFKA_USER];

const generateArgs = (options: typeof FIRST, baseTs: number) => [
  'generate', '--topic', topic, '--contract', CONTRACT, '--partitions', String(PARTITIONS), '--base-ts', String(baseTs),
  '--events', String(options.events), '--seed', String(options.seed), '--dup-ratio', String(options.dupRatio), '--bad-ratio', String(options.badRatio),
];

function assertExit(run: CliRun, code: number, what: string): void {
  assert.equal(run.code, code, `${what}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
}

/** `serve` on a free port over the test's warehouse, tailing the test's topic; resolves with its URL once it serves. */
const startServeOnTopic = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> =>
  startServe(['--warehouse', warehouse, ...args, '--topic', topic, '--contract', CONTRACT], env);

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

test('generate produces and ingest consumes over TLS + SCRAM-SHA-512; the lake equals the oracle; status asks the same way', { timeout: 120_000 }, async () => {
  const b = on(broker);
  const generated = await runCli([...generateArgs(FIRST, BASE_TS), ...tlsScram(b)], PASSWORD_ENV);
  assertExit(generated, 0, 'generate over SASL_SSL');
  assert.equal(lastJsonLine(generated.stdout)['records'], FIRST.events);

  const ingest = await step('ingest over SASL_SSL', 60_000, runCli([
    'ingest', '--topic', topic, '--contract', CONTRACT, ...tlsScram(b), '--kafka-sasl-password-file', b.files.password,
    '--warehouse', warehouse, '--commit-interval-ms', '500', '--exit-when-idle-ms', '2000',
  ]));
  assertExit(ingest, 0, 'ingest over SASL_SSL');
  const stopped = ingest.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === 'ingest stopped');
  assert.equal(stopped.records, FIRST.events);
  await assertLakeEqualsOracle(warehouse, CONTRACT, [...new RecordGenerator({ ...FIRST, topics: [CONTRACT], partitions: PARTITIONS, baseTs: BASE_TS })]);

  const status = await runCli(['status', '--json', '--warehouse', warehouse, ...tlsScram(b)], PASSWORD_ENV);
  assertExit(status, 0, 'status over SASL_SSL');
  const { kafka, partitions } = JSON.parse(status.stdout) as { kafka: { reachable: boolean }; partitions: Array<{ topic: string; lag: number }> };
  assert.equal(kafka.reachable, true, status.stdout);
  assert.deepEqual(partitions.filter((p) => p.topic === topic).map((p) => p.lag), [0, 0], 'no lag: everything produced is committed');
  passed++;
});

/** What a session of the test's own answers for each account: the snapshot, and the whole tail read over the plain listener. */
const expectedAnswers = (b: SecuredBroker, withTail: boolean): Promise<string[][]> =>
  sessionMemberActivity(warehouse, ACCOUNTS, WINDOW, withTail ? { kafka: testKafka(b.plaintext), topics: [{ topic, contract: CONTRACT }] } : undefined);

test('serve tails over TLS + PLAIN and query over SASL_PLAINTEXT, after generate wrote over TLS with a client certificate', { timeout: 120_000 }, async () => {
  const b = on(broker);
  const mtls = ['--brokers', b.ssl, '--kafka-tls', '--kafka-ca', b.files.ca, '--kafka-cert', b.files.clientCert, '--kafka-key', b.files.clientKey];
  assertExit(await runCli([...generateArgs(SECOND, BASE_TS + 60_000), ...mtls]), 0, 'generate over SSL with a client certificate');

  const { process: serve, url } = await startServeOnTopic(tlsPlain(b), PASSWORD_ENV);
  const answers = () => serveMemberActivity(url, ACCOUNTS, WINDOW);

  const [expected, snapshotOnly] = await Promise.all([expectedAnswers(b, true), expectedAnswers(b, false)]);
  assert.notDeepEqual(expected, snapshotOnly, 'the tail adds edges to the accounts asked');
  await step('serve answering from snapshot ∪ the tail it read over SASL_SSL', 60_000, (async () => {
    while (JSON.stringify(await answers()) !== JSON.stringify(expected)) await sleep(250);
  })());
  const health = (await (await fetch(`${url}/healthz`)).json()) as { tail: { state: string } };
  assert.equal(health.tail.state, 'live');

  const query = await runCli([
    'query', 'member-activity', '--account', ACCOUNTS[0]!, '--at', WINDOW.at, '--since', WINDOW.since, '--json', '--warehouse', warehouse,
    '--brokers', b.saslPlaintext, '--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', KAFKA_USER, '--kafka-sasl-password-file', b.files.password,
    '--topic', topic, '--contract', CONTRACT,
  ]);
  assertExit(query, 0, 'query over SASL_PLAINTEXT');
  assert.deepEqual(sortedEdgeTexts((JSON.parse(query.stdout.trim().split('\n').at(-1)!) as { edges: unknown[] }).edges), expected[0]);

  serve.child.kill('SIGTERM');
  assertExit(await step('serve exiting on SIGTERM', 30_000, serve.exited), 0, 'serve');
  passed++;
});

test('a wrong password, an untrusted CA, a missing client certificate or TLS to a plaintext listener fail at once with one clear line', { timeout: 90_000 }, async () => {
  const b = on(broker);
  const generate = ['generate', '--topic', uniqueName('it.kafkasec.refused'), '--contract', CONTRACT, '--events', '10'];
  const cases: Array<{ what: string; args: string[]; env?: NodeJS.ProcessEnv; code: number; says: RegExp }> = [
    { what: 'generate, SCRAM, wrong password', args: [...generate, ...tlsScram(b)], env: { LAKEGRAPH_KAFKA_SASL_PASSWORD: 'wrong' }, code: 1, says: /SCRAM SHA512 authentication failed.*invalid credentials/ },
    { what: 'ingest, PLAIN, wrong password', args: ['ingest', '--topic', topic, '--contract', CONTRACT, '--warehouse', join(dir, 'refused'), ...tlsPlain(b)], env: { LAKEGRAPH_KAFKA_SASL_PASSWORD: 'wrong' }, code: 1, says: /PLAIN authentication failed/ },
    { what: 'another CA', args: [...generate, ...tlsScram(b).map((a) => (a === b.files.ca ? b.files.otherCa : a))], env: PASSWORD_ENV, code: 2, says: /presented a certificate this client does not trust; pass the CA .* --kafka-ca/ },
    { what: 'no client certificate', args: [...generate, '--brokers', b.ssl, '--kafka-tls', '--kafka-ca', b.files.ca], code: 2, says: /refused this client during the TLS handshake.*--kafka-cert and --kafka-key/ },
    { what: 'TLS to the plaintext listener', args: [...generate, '--brokers', b.plaintext, '--kafka-tls', '--kafka-ca', b.files.ca], code: 2, says: /as a plaintext listener does/ },
  ];
  const refused = cases.map(async ({ what, args, env, code, says }) => {
    const started = Date.now();
    const run = await step(what, 30_000, runCli(args, env));
    assertExit(run, code, what);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${what}: one line on stderr:\n${run.stderr}`);
    assert.match(lines[0]!, says, what);
    assert.ok(Date.now() - started < 20_000, `${what}: failed after ${Date.now() - started} ms, not at once`);
  });
  // serve keeps answering from the snapshot, and says why its tail is down.
  const serveRefused = (async () => {
    const { process: serve, url } = await startServeOnTopic(tlsScram(b), { LAKEGRAPH_KAFKA_SASL_PASSWORD: 'wrong' });
    const tail = await step('/healthz saying the tail is down', 30_000, (async () => {
      for (;;) {
        const { tail } = (await (await fetch(`${url}/healthz`)).json()) as { tail: { state: string; error?: string } };
        if (tail.state === 'down') return tail;
        await sleep(200);
      }
    })());
    assert.match(tail.error ?? '', /SCRAM SHA512 authentication failed/);
    serve.child.kill('SIGTERM');
    assertExit(await step('serve exiting on SIGTERM', 30_000, serve.exited), 0, 'serve with a wrong password');
  })();
  await Promise.all([...refused, serveRefused]);
  passed++;
});
