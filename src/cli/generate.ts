/**
 * `lakegraph generate`: the generator's contract events for one topic, produced to Kafka
 * keyed by account_id, with duplicates and bad records mixed in as asked.
 */
import { RecordGenerator } from '../stream/generator/record-generator.js';
import { produceRecords } from '../stream/kafka/produce-records.js';
import { ensureTopic } from '../stream/kafka/topic-admin.js';
import { jsonLog } from '../stream/metrics/json-log.js';
import { UsageError } from './args.js';
import { KAFKA_FLAGS, kafkaFromFlags } from './broker-flags.js';
import type { Command } from './command.js';
import { ProgressLine } from './progress-line.js';
import { topicAndContractFromFlags, topicFlags } from './topic-flags.js';

const ratio = (flags: Record<string, unknown>, name: string): number => {
  const value = flags[name] as number;
  if (!(value >= 0 && value < 1)) throw new UsageError(`--${name} must be at least 0 and below 1, got ${value}`);
  return value;
};

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Produce generated contract events (with duplicates and bad records) to a Kafka topic.',
  usage: 'lakegraph generate --topic T --events N [--brokers H:P] [--kafka-tls …] [--kafka-sasl-mechanism M …] [--seed S] [--rate R] [--dup-ratio X] [--bad-ratio X]',
  flags: [
    ...topicFlags('the Kafka topic to write', 'the docs/CONTRACTS.md §1 topic whose events to generate (default: --topic)'),
    { name: 'events', kind: 'int', placeholder: 'N', help: 'records to produce, duplicates and bad ones included' },
    ...KAFKA_FLAGS,
    { name: 'seed', kind: 'int', placeholder: 'S', default: 1, help: 'generator seed; the same seed and flags give the same records' },
    { name: 'rate', kind: 'number', placeholder: 'R', default: 0, help: 'records per second (0: as fast as possible)' },
    { name: 'dup-ratio', kind: 'number', placeholder: 'X', default: 0.03, help: 'share of re-delivered events' },
    { name: 'bad-ratio', kind: 'number', placeholder: 'X', default: 0.005, help: 'share of malformed records' },
    { name: 'partitions', kind: 'int', placeholder: 'N', default: 4, help: 'partitions when the topic has to be created' },
    { name: 'base-ts', kind: 'int', placeholder: 'MS', help: 'event time of the first event, epoch ms (default: an hour ago), for reproducible runs' },
  ],
  async run(flags) {
    const { topic, contract } = topicAndContractFromFlags(flags);
    const events = flags['events'] as number | undefined;
    if (events === undefined || events < 1) throw new UsageError('--events N (at least 1) is required');
    const rate = flags['rate'] as number;
    if (rate < 0) throw new UsageError('--rate must not be negative');
    if ((flags['partitions'] as number) < 1) throw new UsageError('--partitions must be at least 1');
    const dupRatio = ratio(flags, 'dup-ratio');
    const badRatio = ratio(flags, 'bad-ratio');
    if (dupRatio + badRatio >= 1) throw new UsageError('--dup-ratio plus --bad-ratio must stay below 1');

    const kafka = await kafkaFromFlags(flags, 'lakegraph-generate', jsonLog('warn'));
    const admin = kafka.admin();
    await admin.connect();
    let partitions: number;
    try {
      partitions = await ensureTopic(admin, topic, flags['partitions'] as number);
    } finally {
      await admin.disconnect();
    }
    const generator = new RecordGenerator({
      events, seed: flags['seed'] as number, topics: [contract], partitions, dupRatio, badRatio, baseTs: flags['base-ts'] as number | undefined,
    });
    const progress = new ProgressLine();
    const started = performance.now();
    const line = (sent: number) => {
      const seconds = (performance.now() - started) / 1000;
      return `${sent.toLocaleString('en-US')} / ${events.toLocaleString('en-US')} records to ${topic}  ${Math.round(sent / Math.max(seconds, 1e-3)).toLocaleString('en-US')}/s`;
    };
    const sent = await produceRecords(kafka, topic, generator, { rate, onProgress: (n) => progress.update(line(n)) });
    progress.done(line(sent));
    const { stats } = generator;
    const bad = Object.values(stats.bad).reduce((a, b) => a + b, 0);
    process.stdout.write(JSON.stringify({ topic, records: sent, events: stats.events, duplicates: stats.duplicates, lateDuplicates: stats.lateDuplicates, bad }) + '\n');
    return 0;
  },
};
