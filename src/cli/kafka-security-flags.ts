/**
 * The flags that say how to reach the brokers beyond plain TCP, shared by every command that
 * talks to Kafka: TLS (`--kafka-tls`, the CA to trust, a client certificate) and SASL (PLAIN
 * or SCRAM-SHA-512, the password from a file or LAKEGRAPH_KAFKA_SASL_PASSWORD). Each has an
 * environment variable, for a deployment's ConfigMap and Secret. A combination that cannot
 * work, or a file that cannot be read or used, is a configuration mistake found at start.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { SASL_MECHANISMS, type KafkaSasl, type KafkaSecurity, type KafkaTls, type SaslMechanism } from '../stream/kafka/kafka-security.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';
import { readFlagFile, secretFromFileOrEnv } from './flag-files.js';

export const KAFKA_SASL_PASSWORD_ENV = 'LAKEGRAPH_KAFKA_SASL_PASSWORD';

export const KAFKA_SECURITY_FLAGS: readonly FlagSpec[] = [
  { name: 'kafka-tls', kind: 'boolean', env: 'LAKEGRAPH_KAFKA_TLS', help: 'connect to the brokers over TLS, checking their certificates against the system CAs or --kafka-ca' },
  { name: 'kafka-ca', kind: 'string', placeholder: 'F', env: 'LAKEGRAPH_KAFKA_CA', help: "with --kafka-tls: trust the brokers' certificates signed by the PEM CA certificate(s) in F, instead of the system CAs" },
  { name: 'kafka-cert', kind: 'string', placeholder: 'F', env: 'LAKEGRAPH_KAFKA_CERT', help: 'with --kafka-tls: present the PEM client certificate in F to brokers that require one; needs --kafka-key' },
  { name: 'kafka-key', kind: 'string', placeholder: 'F', env: 'LAKEGRAPH_KAFKA_KEY', help: 'the unencrypted PEM private key of --kafka-cert' },
  { name: 'kafka-sasl-mechanism', kind: 'string', placeholder: 'M', env: 'LAKEGRAPH_KAFKA_SASL_MECHANISM', help: `authenticate to the brokers with SASL: ${SASL_MECHANISMS.join(' or ')}` },
  { name: 'kafka-sasl-username', kind: 'string', placeholder: 'U', env: 'LAKEGRAPH_KAFKA_SASL_USERNAME', help: 'the SASL user name' },
  { name: 'kafka-sasl-password-file', kind: 'string', placeholder: 'F', help: `the SASL password is F's content (or ${KAFKA_SASL_PASSWORD_ENV}'s value)` },
];

/** The file a flag names, checked to be what it should be: `check` throws what is wrong with it. */
function pemFile(flags: FlagValues, flag: string, what: string, check: (content: Buffer) => void): Buffer | undefined {
  const path = flags[flag] as string | undefined;
  if (path === undefined) return undefined;
  const content = readFlagFile(flag, path);
  try {
    check(content);
  } catch (error) {
    throw new UsageError(`--${flag} ${path}: not ${what} (${(error as Error).message})`);
  }
  return content;
}

function tls(flags: FlagValues): KafkaTls | undefined {
  if (flags['kafka-tls'] !== true) {
    const given = ['kafka-ca', 'kafka-cert', 'kafka-key'].find((flag) => flags[flag] !== undefined);
    if (given !== undefined) throw new UsageError(`--${given} needs --kafka-tls (or LAKEGRAPH_KAFKA_TLS=true)`);
    return undefined;
  }
  if ((flags['kafka-cert'] === undefined) !== (flags['kafka-key'] === undefined)) throw new UsageError('give --kafka-cert and --kafka-key together');
  const ca = pemFile(flags, 'kafka-ca', 'a PEM CA certificate', (pem) => new X509Certificate(pem));
  const cert = pemFile(flags, 'kafka-cert', 'a PEM certificate', (pem) => new X509Certificate(pem));
  const key = pemFile(flags, 'kafka-key', 'an unencrypted PEM private key', (pem) => createPrivateKey(pem));
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      throw new UsageError(`--kafka-cert ${flags['kafka-cert']} / --kafka-key ${flags['kafka-key']}: ${(error as Error).message}`);
    }
  }
  return { ca, cert, key };
}

function sasl(flags: FlagValues, env: NodeJS.ProcessEnv): KafkaSasl | undefined {
  const mechanism = flags['kafka-sasl-mechanism'] as string | undefined;
  const username = flags['kafka-sasl-username'] as string | undefined;
  const password = secretFromFileOrEnv(flags, 'kafka-sasl-password-file', KAFKA_SASL_PASSWORD_ENV, env, 'password');
  if (mechanism === undefined) {
    const given = username !== undefined ? '--kafka-sasl-username' : password?.source;
    if (given !== undefined) throw new UsageError(`${given} needs --kafka-sasl-mechanism (${SASL_MECHANISMS.join(' or ')})`);
    return undefined;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) throw new UsageError(`--kafka-sasl-mechanism: "${mechanism}" is not one of ${SASL_MECHANISMS.join(', ')}`);
  if (username === undefined || username === '') throw new UsageError(`--kafka-sasl-mechanism ${mechanism} needs --kafka-sasl-username`);
  if (password === undefined) throw new UsageError(`--kafka-sasl-mechanism ${mechanism} needs a password: --kafka-sasl-password-file F or ${KAFKA_SASL_PASSWORD_ENV}`);
  return { mechanism: mechanism as SaslMechanism, username, password: password.value };
}

export function kafkaSecurityFromFlags(flags: FlagValues, env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  return { tls: tls(flags), sasl: sasl(flags, env) };
}
