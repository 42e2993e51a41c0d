/** The `--brokers` flag shared by the commands that talk to Kafka. */
import { UsageError, type FlagSpec, type FlagValues } from './args.js';

export const BROKERS_FLAG: FlagSpec = {
  name: 'brokers', kind: 'string', placeholder: 'H:P[,H:P]', env: 'LAKEGRAPH_BROKERS', default: '127.0.0.1:9092', help: 'Kafka bootstrap brokers',
};

export function brokersFromFlags(flags: FlagValues): string[] {
  const brokers = String(flags['brokers']).split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(broker);
    if (!m || Number(m[2]) > 65535) throw new UsageError(`--brokers: "${broker}" is not host:port`);
  }
  if (brokers.length === 0) throw new UsageError('--brokers: no broker given');
  return brokers;
}
