/**
 * The kafkajs client every Kafka-facing part of the stream stage uses: its own log lines
 * go into the structured log, and its retry settings ride out a broker restart (the
 * default gives up after about 10 s of failed reconnects; a restart takes longer).
 */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { JsonLog, LogLevel } from '../metrics/json-log.js';

const LEVEL_OF: Partial<Record<logLevel, LogLevel>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** About a minute of reconnect attempts, backing off to 5 s apart. */
export const BROKER_RETRY = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 15 } as const;

export function createKafka(brokers: readonly string[], clientId: string, log: JsonLog): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: 3_000,
    retry: BROKER_RETRY,
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, namespace, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      log(LEVEL_OF[level] ?? 'info', message, { source: `kafkajs.${namespace}`, ...fields });
    },
  });
}
