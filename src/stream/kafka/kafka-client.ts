/**
 * The kafkajs client every Kafka-facing part of the stream stage uses: its own log lines
 * go into the structured log, its retry settings ride out a broker restart (the default
 * gives up after about 10 s of failed reconnects; a restart takes longer), and it speaks
 * TLS and SASL as its `KafkaSecurity` says.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Kafka, logLevel, type ISocketFactory, type LogEntry, type RetryOptions } from 'kafkajs';
import type { JsonLog, LogLevel } from '../metrics/json-log.js';
import { brokerTlsConnectOptions, kafkajsSecurity, PLAINTEXT, type KafkaSecurity } from './kafka-security.js';

const LEVEL_OF: Partial<Record<logLevel, LogLevel>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** About a minute of reconnect attempts, backing off to 5 s apart. */
export const BROKER_RETRY = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 15 } as const;

/**
 * About two seconds: for a read-only Kafka tail, which loses nothing by failing early (its
 * starter and kafkajs's consumer restarts try again) and whose service must say within
 * seconds that the broker is down, and stop without waiting out a minute of retries.
 */
export const TAIL_RETRY = { initialRetryTime: 300, maxRetryTime: 1_000, retries: 2 } as const;

/** What kafkajs's own socket factory sets. */
const KEEP_ALIVE_DELAY_MS = 60_000;

/** The sockets opened inside the current `withOwnConnections` call, if any. */
const ownedSockets = new AsyncLocalStorage<Set<Socket>>();

/** kafkajs's socket factory — TCP, or TLS when the client has TLS options (`ssl`) — plus a note of which `withOwnConnections` call a socket belongs to. */
const ownedSocket: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? connectTls(brokerTlsConnectOptions(host, port, ssl), onConnect) : connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  const owned = ownedSockets.getStore();
  if (owned !== undefined) {
    owned.add(socket);
    socket.once('close', () => owned.delete(socket));
  }
  return socket;
};

/**
 * Runs `work`, then ends the Kafka connections it opened that are still open, so that
 * nothing of it keeps the process alive. kafkajs 2.2.4 can leave one behind after every
 * consumer, producer and admin was disconnected: when a fetch fails with a closed
 * connection (a broker restart) the consumer drops that broker from its cluster's pool,
 * but keeps using the same broker object as its group coordinator, whose next heartbeat
 * reconnects it; `consumer.disconnect()` disconnects only the pool, so that connection
 * and its request-queue timers stay. Ending the socket makes the broker close its side,
 * which kafkajs takes as the connection's end and tears down.
 */
export async function withOwnConnections<T>(work: () => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  try {
    return await ownedSockets.run(sockets, work);
  } finally {
    for (const socket of sockets) socket.end();
  }
}

export function createKafka(brokers: readonly string[], clientId: string, log: JsonLog, retry: RetryOptions = BROKER_RETRY, security: KafkaSecurity = PLAINTEXT): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurity(security),
    connectionTimeout: 3_000,
    retry,
    socketFactory: ownedSocket,
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, namespace, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      log(LEVEL_OF[level] ?? 'info', message, { source: `kafkajs.${namespace}`, ...fields });
    },
  });
}
