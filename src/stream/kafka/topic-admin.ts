/**
 * Creating the topics lakegraph writes to. Topics get a message size limit above
 * CONTRACTS §1's 1 MiB: an oversize event must reach the ingest job to be rejected into
 * the DLQ (with its bytes) instead of failing at the producer, unseen by the lake.
 */
import type { Admin } from 'kafkajs';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';

/** Room for one oversize event plus key, headers and batch framing. */
export const TOPIC_MAX_MESSAGE_BYTES = 2 * MAX_EVENT_BYTES;

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;

/** Creates the topic unless it exists; returns its partition count. */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<number> {
  // Checked first: creating an existing topic succeeds but logs a broker error.
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) }] }],
    });
  }
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  return metadata!.partitions.length;
}
