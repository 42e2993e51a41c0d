/**
 * Creating the topics lakegraph writes to. Topics get a message size limit above
 * docs/CONTRACTS.md §1's 1 MiB: an oversize event must reach the ingest job to be rejected into
 * the DLQ (with its bytes) instead of failing at the producer, unseen by the lake.
 */
import type { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';
import { highWatermarks } from './end-offsets.js';

/** Room for one oversize event plus key, headers and batch framing. */
export const TOPIC_MAX_MESSAGE_BYTES = 2 * MAX_EVENT_BYTES;

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;

/** Where a group of `topic`'s members and its committer exchange contributions and outcomes (commit/control-message.ts). */
export const controlTopicOf = (topic: string): string => `${topic}.lakegraph-control`;

/** How long a new topic may take until its partition leaders answer for it. */
const TOPIC_READY_MS = 30_000;

/** Creates the topic unless it exists; returns its partition count once every partition is served. */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<number> {
  // Checked first: creating an existing topic succeeds but logs a broker error.
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) }] }],
    });
  }
  return (await untilServed(admin, topic)).size;
}

/**
 * A freshly started broker can name a topic's leaders before the leader hosts the
 * partition ("This server does not host this topic-partition"); asking for the end
 * offsets proves each partition is really served.
 */
async function untilServed(admin: Admin, topic: string): Promise<Map<number, number>> {
  const deadline = Date.now() + TOPIC_READY_MS;
  for (;;) {
    try {
      return await highWatermarks(admin, topic);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions not served after ${TOPIC_READY_MS / 1000} s (${(error as Error).message})`);
      await sleep(250);
    }
  }
}
