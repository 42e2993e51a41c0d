/**
 * One consumed message, as every source hands it to the stream stage: the embedded
 * generator produces it, and so does the Kafka source. `offset` is a number because
 * offsets stay far below 2^53 in practice and numbers keep the hot path free of BigInt.
 */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Broker (or producer) timestamp, epoch ms — not the event time, which is inside `value`. */
  readonly timestamp: number;
}
