/**
 * The flags that say which Kafka cluster to talk to and how (`--brokers`, and the TLS and SASL
 * flags of kafka-security-flags.ts), and the client they make.
 */
import type { Kafka, RetryOptions } from 'kafkajs';
import { BROKER_RETRY, createKafka } from '../stream/kafka/kafka-client.js';
import { brokerTlsProblem, type TlsProblem } from '../stream/kafka/tls-check.js';
import type { JsonLog } from '../stream/metrics/json-log.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';
import { KAFKA_SECURITY_FLAGS, kafkaSecurityFromFlags } from './kafka-security-flags.js';

export const BROKERS_FLAG: FlagSpec = {
  name: 'brokers', kind: 'string', placeholder: 'H:P[,H:P]', env: 'LAKEGRAPH_BROKERS', default: '127.0.0.1:9092', help: 'Kafka bootstrap brokers',
};

/** `--brokers` and how to reach them: the flags of a command that always talks to Kafka. */
export const KAFKA_FLAGS: readonly FlagSpec[] = [BROKERS_FLAG, ...KAFKA_SECURITY_FLAGS];

/** How long the TLS check before connecting waits for each bootstrap broker. */
const TLS_CHECK_TIMEOUT_MS = 3_000;

export function brokersFromFlags(flags: FlagValues): string[] {
  const brokers = String(flags['brokers']).split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(broker);
    if (!m || Number(m[2]) > 65535) throw new UsageError(`--brokers: "${broker}" is not host:port`);
  }
  if (brokers.length === 0) throw new UsageError('--brokers: no broker given');
  return brokers;
}

/** What to change, for each way TLS to a broker can fail. */
function tlsProblemMessage({ broker, kind, code }: TlsProblem): string {
  const problem =
    kind === 'not-tls'
      ? 'closed the connection on the TLS hello, as a plaintext listener does; name its TLS listener in --brokers, or drop --kafka-tls for a plaintext one'
      : kind === 'refused'
        ? 'refused this client during the TLS handshake; if it requires a client certificate, give one it trusts with --kafka-cert and --kafka-key'
        : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'a certificate for another host name; name the brokers in --brokers as their certificates do'
          : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
            ? 'a certificate outside its validity period'
            : "a certificate this client does not trust; pass the CA that signed the brokers' certificates with --kafka-ca F (or LAKEGRAPH_KAFKA_CA)";
  return `--kafka-tls: the broker at ${broker} ${kind === 'untrusted' ? 'presented ' : ''}${problem} (${code})`;
}

/**
 * The Kafka client of the flags. With TLS, a bootstrap broker is asked first (tls-check.ts),
 * so that a mismatch kafkajs would retry for a minute fails at once (exit 2) and says what
 * to change.
 */
export async function kafkaFromFlags(flags: FlagValues, clientId: string, log: JsonLog, retry: RetryOptions = BROKER_RETRY): Promise<Kafka> {
  const brokers = brokersFromFlags(flags);
  const security = kafkaSecurityFromFlags(flags);
  if (security.tls !== undefined) {
    const problem = await brokerTlsProblem(brokers, security.tls, TLS_CHECK_TIMEOUT_MS);
    if (problem !== undefined) throw new UsageError(tlsProblemMessage(problem));
  } else if (security.sasl?.mechanism === 'plain') {
    log('warn', 'SASL PLAIN without --kafka-tls sends the Kafka password in clear text');
  }
  return createKafka(brokers, clientId, log, retry, security);
}
