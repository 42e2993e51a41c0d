/**
 * `--topic T [--contract C]` of the commands that read or write one Kafka topic (ingest,
 * backfill, generate, and the tail of query/sql/serve): a topic named otherwise than the
 * docs/CONTRACTS.md §1 ones follows the event rules of the contract topic `--contract` names.
 */
import { isTopic, type Topic } from '../events/topics.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';

/** The two flags; `contractHelp` says what the contract decides for this command. */
export function topicFlags(topicHelp: string, contractHelp = 'the docs/CONTRACTS.md §1 topic whose event rules apply (default: --topic)'): readonly FlagSpec[] {
  return [
    { name: 'topic', kind: 'string', placeholder: 'T', help: topicHelp },
    { name: 'contract', kind: 'string', placeholder: 'C', help: contractHelp },
  ];
}

/** The contract topic of `topic`: `--contract`, or the topic itself without it. */
export function contractFromFlags(flags: FlagValues, topic: string): Topic {
  const contract = (flags['contract'] as string | undefined) ?? topic;
  if (!isTopic(contract)) throw new UsageError(`--contract: "${contract}" is not a docs/CONTRACTS.md §1 topic; pass --contract app.<line> for a topic named otherwise`);
  return contract;
}

/** `--topic` (required) and its contract topic. */
export function topicAndContractFromFlags(flags: FlagValues): { topic: string; contract: Topic } {
  const topic = flags['topic'] as string | undefined;
  if (!topic) throw new UsageError('--topic is required');
  return { topic, contract: contractFromFlags(flags, topic) };
}
