/** A kafkajs message as the stream stage's SourceRecord. Buffers are Uint8Arrays, so no bytes are copied. */
import type { KafkaMessage } from 'kafkajs';
import type { SourceRecord } from '../source-record.js';

export function sourceRecordOf(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key,
    value: message.value,
    timestamp: Number(message.timestamp),
  };
}
