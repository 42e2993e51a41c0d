/**
 * How a Kafka client proves who it is and whom it talks to, beyond plain TCP: TLS (the CA
 * to trust, and a client certificate where the brokers ask for one) and SASL credentials.
 * Every client lakegraph makes takes the same settings (`createKafka`, and status's own).
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export const SASL_MECHANISMS = ['plain', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaTls {
  /** PEM CA certificates to trust instead of the system's; the system's when absent. */
  readonly ca?: Buffer;
  /** PEM client certificate and its unencrypted key, for brokers that require one (ssl.client.auth=required). */
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface KafkaSecurity {
  /** TLS on when present. */
  readonly tls?: KafkaTls;
  readonly sasl?: KafkaSasl;
}

export const PLAINTEXT: KafkaSecurity = {};

/** The TLS options of tls.connect for these settings. */
export function tlsOptions(tls: KafkaTls): ConnectionOptions {
  return { ca: tls.ca, cert: tls.cert, key: tls.key };
}

/** tls.connect's options for a broker: its host name as SNI and for the certificate check, unless it is an IP address. */
export function brokerTlsConnectOptions(host: string, port: number, options: ConnectionOptions): ConnectionOptions {
  return { host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...options };
}

/** The part of kafkajs's client configuration these settings make. */
export function kafkajsSecurity({ tls, sasl }: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ssl: tls === undefined ? undefined : tlsOptions(tls),
    sasl: sasl === undefined ? undefined : ({ mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions),
  };
}
