/**
 * `lakegraph status`: per graph table the snapshots, the current snapshot, live files,
 * and the Kafka offsets committed into it; per topic partition the lag behind the
 * broker's end offset (when a broker answers).
 */
import { tableStatus, type TableStatus } from '../maintenance/status/table-status.js';
import { fetchEndOffsets, type EndOffsetsResult } from '../maintenance/status/topic-end-offsets.js';
import { MAINTAINED_TABLES } from '../maintenance/maintenance-run.js';
import { BROKERS_FLAG, brokersFromFlags } from './broker-flags.js';
import { existingWarehouseFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatBytes } from './compact.js';
import { formatTable } from './format-table.js';

interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Per table, the next offset not yet in it. */
  readonly committed: Readonly<Record<string, number | null>>;
  readonly endOffset: number | null;
  /**
   * Records on the broker that no table has taken in yet: end offset minus the greatest
   * committed offset over the tables; null without a broker. Not the least: a job commits
   * only the tables its window has rows for, so e.g. `rejected_events` of a clean topic
   * stays at an old offset with nothing missing.
   */
  readonly lag: number | null;
}

function partitionLags(tables: readonly TableStatus[], ends: EndOffsetsResult): PartitionLag[] {
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const t of tables) for (const [topic, partitions] of t.offsets) for (const partition of partitions.keys()) keys.set(`${topic}\u0000${partition}`, { topic, partition });
  return [...keys.values()]
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    .map(({ topic, partition }) => {
      const committed = Object.fromEntries(tables.filter((t) => t.exists).map((t) => [t.table, t.offsets.get(topic)?.get(partition) ?? null]));
      const endOffset = ends.reachable ? (ends.offsets.get(topic)?.get(partition) ?? null) : null;
      const lag = endOffset === null ? null : endOffset - Math.max(...Object.values(committed).map((o) => o ?? 0));
      return { topic, partition, committed, endOffset, lag };
    });
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the graph tables (snapshots, live files, committed Kafka offsets) and the lag behind Kafka.',
  usage: 'lakegraph status [--json] [--warehouse DIR | --catalog-uri URL] [--brokers H:P]',
  flags: [{ name: 'json', kind: 'boolean', help: 'print one JSON object' }, ...WAREHOUSE_FLAGS, BROKERS_FLAG],
  async run(flags) {
    const catalog = await existingWarehouseFromFlags(flags);
    const brokers = brokersFromFlags(flags);
    const tables = await Promise.all(MAINTAINED_TABLES.map((name) => tableStatus(catalog, name)));
    const topics = [...new Set(tables.flatMap((t) => [...t.offsets.keys()]))];
    const ends: EndOffsetsResult = topics.length === 0 ? { reachable: true, offsets: new Map() } : await fetchEndOffsets(brokers, topics);
    const lags = partitionLags(tables, ends);
    const kafka = ends.reachable ? { brokers, reachable: true } : { brokers, reachable: false, reason: ends.reason };

    if (flags['json'] === true) {
      const json = {
        tables: tables.map((t) => ({
          ...t,
          liveBytes: Number(t.liveBytes),
          liveRecords: Number(t.liveRecords),
          offsets: Object.fromEntries([...t.offsets].map(([topic, p]) => [topic, Object.fromEntries(p)])),
        })),
        kafka,
        partitions: lags,
      };
      process.stdout.write(JSON.stringify(json) + '\n');
      return 0;
    }
    const tableRows = tables.map((t) => ({
      table: `graph.${t.table}`,
      snapshots: t.exists ? t.snapshots : 'not created',
      current: t.current ? `${t.current.snapshotId} ${t.current.operation} at ${t.current.committedAt}` : '',
      'data files': t.liveDataFiles,
      bytes: formatBytes(t.liveBytes),
      records: String(t.liveRecords),
      manifests: t.manifests,
    }));
    const lagRows = lags.map((l) => ({ topic: l.topic, partition: l.partition, ...l.committed, 'end offset': l.endOffset ?? '', lag: l.lag ?? '' }));
    const kafkaLine = ends.reachable ? `Kafka: ${brokers.join(',')}` : `Kafka: no brokers reachable at ${brokers.join(',')} (${ends.reason}); lag unknown`;
    process.stdout.write(
      `${formatTable(tableRows)}\n\nCommitted offsets (next offset not yet in each table) and lag:\n${formatTable(lagRows)}\n${kafkaLine}\n`,
    );
    return 0;
  },
};
