/**
 * The broker's end offset (high watermark) of each partition of one topic: where a reader
 * that has read everything stands. Connects on first use and keeps the connection.
 */
import type { Admin, Kafka } from 'kafkajs';

export class EndOffsets {
  private readonly admin: Admin;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    this.admin = kafka.admin();
  }

  /** Per partition, the offset the next produced record will get. */
  async fetch(): Promise<Map<number, number>> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    return new Map((await this.admin.fetchTopicOffsets(this.topic)).map(({ partition, high }) => [partition, Number(high)]));
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }
}
