/**
 * The end offset (high watermark) of every partition of some topics, for lag, and the
 * cluster id of the brokers that answered, which says whose log those offsets count in.
 * Asked with short timeouts and no long retries: status must answer promptly, and says so
 * when no broker answers instead of waiting a minute.
 */
import { Kafka, logLevel } from 'kafkajs';
import { errorMessage } from '../../common/error-message.js';
import { highWatermarks } from '../../stream/kafka/end-offsets.js';
import { kafkajsSecurity, type KafkaSecurity } from '../../stream/kafka/kafka-security.js';

export type EndOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

export type EndOffsetsResult =
  | { readonly reachable: true; readonly clusterId: string; readonly offsets: EndOffsets }
  | { readonly reachable: false; readonly reason: string };

export async function fetchEndOffsets(brokers: readonly string[], security: KafkaSecurity, topics: readonly string[]): Promise<EndOffsetsResult> {
  const kafka = new Kafka({
    clientId: 'lakegraph-status',
    brokers: [...brokers],
    ...kafkajsSecurity(security),
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 500 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { clusterId } = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    const offsets = new Map<string, Map<number, number>>();
    for (const topic of topics.filter((t) => existing.has(t))) {
      offsets.set(topic, await highWatermarks(admin, topic));
    }
    return { reachable: true, clusterId, offsets };
  } catch (error) {
    return { reachable: false, reason: errorMessage(error) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
