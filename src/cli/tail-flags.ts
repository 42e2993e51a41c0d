/**
 * Flags of the commands that read the Kafka tail after the snapshot (query, sql, serve):
 * which brokers, how to reach them, and which topics. By default the five docs/CONTRACTS.md
 * §1 topics; `--topic T --contract C` tails one topic named otherwise, as `lakegraph ingest`
 * consumes it.
 */
import type { AsOf } from '../query/as-of.js';
import type { TailedTopic } from '../query/hot/tail-decoder.js';
import { CONTRACT_TOPICS, type HotTailOptions } from '../query/query-session.js';
import { TAIL_RETRY } from '../stream/kafka/kafka-client.js';
import { jsonLog } from '../stream/metrics/json-log.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';
import { BROKERS_FLAG, kafkaFromFlags } from './broker-flags.js';
import { KAFKA_SECURITY_FLAGS } from './kafka-security-flags.js';
import { contractFromFlags, topicFlags } from './topic-flags.js';

/** For a one-shot query: without --brokers, the snapshot only. */
export const OPTIONAL_KAFKA_FLAGS: readonly FlagSpec[] = [
  { ...BROKERS_FLAG, default: undefined, help: 'Kafka brokers whose tail (after the snapshot) the query also reads; without it, the snapshot only' },
  ...KAFKA_SECURITY_FLAGS,
];

export const TAIL_TOPIC_FLAGS = topicFlags(
  'tail only this Kafka topic (default: the five contract topics)',
  'with --topic: the docs/CONTRACTS.md §1 topic whose event rules it follows (default: --topic)',
);

export function tailedTopicsFromFlags(flags: FlagValues): readonly TailedTopic[] {
  const topic = flags['topic'] as string | undefined;
  const contract = flags['contract'] as string | undefined;
  if (topic === undefined) {
    if (contract !== undefined) throw new UsageError('--contract needs --topic');
    return CONTRACT_TOPICS;
  }
  return [{ topic, contract: contractFromFlags(flags, topic) }];
}

/** The tail a one-shot query reads up to the end offsets of now: none without --brokers, or for a past snapshot (`asOf`). */
export async function oneShotTailFromFlags(flags: FlagValues, clientId: string, asOf: AsOf | undefined): Promise<HotTailOptions | undefined> {
  if (flags['brokers'] === undefined || asOf !== undefined) return undefined;
  return { kafka: await kafkaFromFlags(flags, clientId, jsonLog('error', (l) => process.stderr.write(l)), TAIL_RETRY), topics: tailedTopicsFromFlags(flags) };
}
