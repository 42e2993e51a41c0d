/**
 * A TLS handshake and one Kafka request (ApiVersions, which every listener answers before
 * SASL) with the bootstrap brokers, before kafkajs connects. kafkajs takes a failed
 * certificate check, a refused client certificate or a plaintext listener for a connection
 * error and retries it for as long as its retry setting allows (a minute for ingest and
 * generate), logging the same line each time, although only configuration can fix it.
 * Checked first, a command fails at once and says what to change.
 */
import { connect, type TLSSocket } from 'node:tls';
import { brokerTlsConnectOptions, tlsOptions, type KafkaTls } from './kafka-security.js';

export interface TlsProblem {
  readonly broker: string;
  /**
   * untrusted: the broker's certificate failed this client's check; refused: the broker
   * ended the handshake with an alert (it wants a client certificate, say); not-tls: it
   * closed the connection on the TLS hello, as a plaintext listener does.
   */
  readonly kind: 'untrusted' | 'refused' | 'not-tls';
  /** Node's code, e.g. SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE. */
  readonly code: string;
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly kind: TlsProblem['kind']; readonly code: string } | { readonly answered: false };

/** ApiVersions v0 with correlation id 1 and a null client id: the smallest request a Kafka listener answers. */
const API_VERSIONS_REQUEST = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);

function hostAndPort(broker: string): { host: string; port: number } {
  const colon = broker.lastIndexOf(':');
  return { host: broker.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(broker.slice(colon + 1)) };
}

function exchange(broker: string, tls: KafkaTls, timeoutMs: number): Promise<Outcome> {
  const { host, port } = hostAndPort(broker);
  return new Promise((resolve) => {
    // Verified by hand below, so that a failed check is an answer rather than a socket error.
    const socket: TLSSocket = connect({ ...brokerTlsConnectOptions(host, port, tlsOptions(tls)), rejectUnauthorized: false });
    let tcpConnected = false;
    let secured = false;
    const settle = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ answered: false }), timeoutMs);
    socket.once('connect', () => (tcpConnected = true));
    socket.once('secureConnect', () => {
      secured = true;
      if (!socket.authorized) return settle({ ok: false, kind: 'untrusted', code: String(socket.authorizationError) });
      // With TLS 1.3 a broker refuses a client certificate after the client's side of the handshake is done: only an answer shows it passed.
      socket.write(API_VERSIONS_REQUEST);
    });
    socket.once('data', () => settle({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      if (code.startsWith('ERR_SSL_')) settle({ ok: false, kind: 'refused', code });
      else settle(tcpConnected && !secured ? { ok: false, kind: 'not-tls', code } : { answered: false });
    });
    socket.once('close', () => settle(tcpConnected ? { ok: false, kind: secured ? 'refused' : 'not-tls', code: 'closed' } : { answered: false }));
  });
}

/**
 * What is wrong with TLS to the first of `brokers` that answers; undefined when nothing is,
 * or when none answers within `timeoutMs` each (kafkajs then tries, and reports, as without TLS).
 */
export async function brokerTlsProblem(brokers: readonly string[], tls: KafkaTls, timeoutMs: number): Promise<TlsProblem | undefined> {
  for (const broker of brokers) {
    const outcome = await exchange(broker, tls, timeoutMs);
    if ('answered' in outcome) continue;
    return outcome.ok ? undefined : { broker, kind: outcome.kind, code: outcome.code };
  }
  return undefined;
}
