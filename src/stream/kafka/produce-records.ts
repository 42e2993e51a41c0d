/**
 * Writes source records to Kafka with the partition they carry (the generator already
 * partitions by account_id the way Kafka's default partitioner would), optionally at a
 * steady rate. Idempotent, so a retried send never duplicates or reorders a record.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka } from 'kafkajs';
import { MAX_EVENT_BYTES } from '../../events/rejection.js';
import type { SourceRecord } from '../source-record.js';
import { payloadBytes, sendChunks } from './send-chunks.js';

export interface ProduceOptions {
  /** Records per second; 0 or undefined: as fast as the broker takes them. */
  readonly rate?: number;
  readonly chunk?: number;
  readonly onProgress?: (sent: number) => void;
}

/** A Buffer view of the same bytes (kafkajs wants Buffers). */
const asBuffer = (bytes: Uint8Array | null): Buffer | null => (bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Sends every record to `topic`; resolves to the number sent. */
export async function produceRecords(kafka: Kafka, topic: string, source: Iterable<SourceRecord>, options: ProduceOptions = {}): Promise<number> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const rate = options.rate ?? 0;
  const chunk = options.chunk ?? (rate > 0 ? Math.max(1, Math.min(5_000, Math.ceil(rate / 20))) : 5_000);
  const started = performance.now();
  let sent = 0;
  try {
    for (const records of sendChunks(source, (r) => payloadBytes(r.key, r.value), MAX_EVENT_BYTES, chunk)) {
      // No record timestamp: the generator's arrival times may lie far in the past, and the
      // broker's time-based retention would delete such records on arrival.
      const messages = records.map((r) => ({ partition: r.partition, key: asBuffer(r.key), value: asBuffer(r.value) }));
      await producer.send({ topic, acks: -1, messages });
      sent += messages.length;
      options.onProgress?.(sent);
      if (rate > 0) {
        const aheadMs = (sent / rate) * 1000 - (performance.now() - started);
        if (aheadMs > 0) await sleep(aheadMs);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}
