/**
 * The Kafka TLS and SASL flags (src/cli/kafka-security-flags.ts): what they make from the
 * command line and the environment, and the settings that cannot work, each a one-line
 * UsageError (main prints it and exits 2). Against a real broker: kafka-security.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { KAFKA_SECURITY_FLAGS, kafkaSecurityFromFlags } from '../../src/cli/kafka-security-flags.js';

let dir: string;
const file = (name: string) => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakegraph-kafka-flags-'));
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl('req', '-x509', ...ec, '-keyout', file('client.key'), '-out', file('client.crt'), '-days', '1', '-subj', '/CN=client');
  await openssl('req', '-x509', ...ec, '-keyout', file('other.key'), '-out', file('other.crt'), '-days', '1', '-subj', '/CN=other');
  await writeFile(file('password'), 'pass word\n');
  await writeFile(file('empty'), '\n');
  await writeFile(file('not-pem'), 'hello\n');
});

after(() => rm(dir, { recursive: true, force: true }));

function security(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return kafkaSecurityFromFlags(parseArgs(argv, KAFKA_SECURITY_FLAGS, env).flags, env);
}

test('TLS and SASL settings from flags and from the environment', async () => {
  assert.deepEqual(security([]), { tls: undefined, sasl: undefined });
  assert.deepEqual(security(['--kafka-tls']), { tls: { ca: undefined, cert: undefined, key: undefined }, sasl: undefined }, 'TLS trusting the system CAs');
  const mtls = security(['--kafka-tls', '--kafka-ca', file('other.crt'), '--kafka-cert', file('client.crt'), '--kafka-key', file('client.key')]);
  assert.deepEqual(mtls.tls, { ca: await readFile(file('other.crt')), cert: await readFile(file('client.crt')), key: await readFile(file('client.key')) });
  assert.deepEqual(security(['--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-sasl-username', 'u', '--kafka-sasl-password-file', file('password')]).sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'pass word' }, "the file's trailing newline is no part of the password");
  const env = {
    LAKEGRAPH_KAFKA_TLS: 'true', LAKEGRAPH_KAFKA_CA: file('other.crt'),
    LAKEGRAPH_KAFKA_SASL_MECHANISM: 'plain', LAKEGRAPH_KAFKA_SASL_USERNAME: 'u', LAKEGRAPH_KAFKA_SASL_PASSWORD: ' p ',
  };
  assert.deepEqual(security([], env), { tls: { ca: await readFile(file('other.crt')), cert: undefined, key: undefined }, sasl: { mechanism: 'plain', username: 'u', password: ' p ' } });
});

test('settings that cannot work are one-line usage errors saying what to change', () => {
  const sasl = ['--kafka-sasl-mechanism', 'plain', '--kafka-sasl-username', 'u'];
  const password = { LAKEGRAPH_KAFKA_SASL_PASSWORD: 'p' };
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--kafka-ca', file('other.crt')], {}, /--kafka-ca needs --kafka-tls/],
    [[], { LAKEGRAPH_KAFKA_KEY: file('client.key') }, /--kafka-key needs --kafka-tls/],
    [['--kafka-tls', '--kafka-ca', file('missing.pem')], {}, /--kafka-ca: cannot read .*missing\.pem \(ENOENT\)/],
    [['--kafka-tls', '--kafka-ca', file('not-pem')], {}, /--kafka-ca .*not-pem: not a PEM CA certificate/],
    [['--kafka-tls', '--kafka-cert', file('client.crt')], {}, /give --kafka-cert and --kafka-key together/],
    [['--kafka-tls', '--kafka-cert', file('client.crt'), '--kafka-key', file('client.crt')], {}, /--kafka-key .*: not an unencrypted PEM private key/],
    [['--kafka-tls', '--kafka-cert', file('client.crt'), '--kafka-key', file('other.key')], {}, /--kafka-cert .* \/ --kafka-key .*: .*key values mismatch/],
    [['--kafka-sasl-mechanism', 'gssapi', '--kafka-sasl-username', 'u'], password, /"gssapi" is not one of plain, scram-sha-512/],
    [['--kafka-sasl-mechanism', 'plain'], password, /needs --kafka-sasl-username/],
    [sasl, {}, /needs a password: --kafka-sasl-password-file F or LAKEGRAPH_KAFKA_SASL_PASSWORD/],
    [[...sasl, '--kafka-sasl-password-file', file('empty')], {}, /the password is empty/],
    [[...sasl, '--kafka-sasl-password-file', file('password')], password, /give --kafka-sasl-password-file or LAKEGRAPH_KAFKA_SASL_PASSWORD, not both/],
    [['--kafka-sasl-username', 'u'], {}, /--kafka-sasl-username needs --kafka-sasl-mechanism/],
    [[], password, /LAKEGRAPH_KAFKA_SASL_PASSWORD needs --kafka-sasl-mechanism/],
  ];
  for (const [argv, env, says] of cases) {
    assert.throws(() => security(argv, env), (error: unknown) => {
      assert.ok(error instanceof UsageError, `${argv.join(' ')}: ${String(error)}`);
      assert.match(error.message, says);
      assert.doesNotMatch(error.message, /\n/, 'one line');
      return true;
    }, `${argv.join(' ')} ${JSON.stringify(env)}`);
  }
});
