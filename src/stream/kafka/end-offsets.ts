/**
 * The broker's end offset (high watermark) of each partition of one topic: where a reader
 * that has read everything stands.
 */
import type { Admin, Kafka } from 'kafkajs';

/** Per partition of `topic`, the offset the next produced record will get. */
export async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
}

/** `highWatermarks` over an admin connection opened on first use and kept. */
export class EndOffsets {
  private readonly admin: Admin;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    this.admin = kafka.admin();
  }

  async fetch(): Promise<Map<number, number>> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    return highWatermarks(this.admin, this.topic);
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }
}
