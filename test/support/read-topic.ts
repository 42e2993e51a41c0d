/** Reading a whole test topic back from the broker, as the records the oracle judges (with their partitions and offsets). */
import type { Kafka } from 'kafkajs';
import { sourceRecordOf } from '../../src/stream/kafka/kafka-record.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { endOffsets } from './ingest-harness.js';

export async function readWholeTopic(kafka: Kafka, topic: string): Promise<SourceRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const records: SourceRecord[] = [];
  const next = new Map([...ends.keys()].map((p) => [p, 0]));
  const consumer = kafka.consumer({ groupId: `query-test-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) !== next.get(partition)) return;
        records.push(sourceRecordOf(topic, partition, message));
        next.set(partition, Number(message.offset) + 1);
        if ([...ends].every(([p, end]) => next.get(p)! >= end)) resolve();
      },
    });
  });
  if ([...ends.values()].some((end) => end > 0)) await done;
  await consumer.disconnect();
  return records;
}
