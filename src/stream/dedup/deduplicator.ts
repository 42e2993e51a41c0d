/** Event-id dedup across all (topic, partition)s a process consumes; see partition-dedup.ts. */
import { DEFAULT_DEDUP_OPTIONS, PartitionDedup, zeroCounters, type DedupCounters, type DedupOptions } from './partition-dedup.js';

export class Deduplicator {
  private readonly byTopic = new Map<string, Array<PartitionDedup | undefined>>();

  constructor(private readonly options: DedupOptions = DEFAULT_DEDUP_OPTIONS) {}

  partition(topic: string, partition: number): PartitionDedup {
    let partitions = this.byTopic.get(topic);
    if (partitions === undefined) this.byTopic.set(topic, (partitions = []));
    return (partitions[partition] ??= new PartitionDedup(this.options));
  }

  /** Drops one partition's state (another process owns it now); returns its counters, if it had any. */
  forget(topic: string, partition: number): DedupCounters | undefined {
    const partitions = this.byTopic.get(topic);
    const dropped = partitions?.[partition];
    if (partitions !== undefined) partitions[partition] = undefined;
    return dropped?.counters;
  }

  /** Sums over every partition seen so far. */
  totals(): DedupCounters {
    const sum = zeroCounters();
    for (const partitions of this.byTopic.values()) {
      for (const dedup of partitions) {
        if (dedup === undefined) continue;
        for (const name of Object.keys(sum) as Array<keyof DedupCounters>) sum[name] += dedup.counters[name];
      }
    }
    return sum;
  }
}
