/**
 * Tailed records → hot rows, through the ingest job's own decode → dedup → map code.
 * Reading starts at the snapshot's replay offsets, so the dedup state is rebuilt as the
 * writer's is; a record only becomes hot rows for the tables whose snapshot does not
 * hold its offset yet (the rest only feeds dedup). Rejected records make no graph rows.
 */
import type { Topic } from '../../events/topics.js';
import { mapEvent } from '../../graph/map-event.js';
import type { DedupOptions } from '../../stream/dedup/partition-dedup.js';
import { EventAdmission } from '../../stream/event-admission.js';
import type { PartitionOffsets } from '../../stream/job/source-positions.js';
import type { SourceRecord } from '../../stream/source-record.js';
import { HotRowBuffer } from './hot-rows.js';

/** Per table, the next offset its snapshot does not hold, per partition. */
export interface TopicBoundary {
  readonly edges: PartitionOffsets;
  readonly nodes: PartitionOffsets;
}

/** A Kafka topic to tail and the docs/CONTRACTS.md §1 topic whose rules its events follow (as ingest's `--contract`). */
export interface TailedTopic {
  readonly topic: string;
  readonly contract: Topic;
}

export class TailDecoder {
  readonly buffer = new HotRowBuffer();
  readonly topics: string[] = [];
  private readonly boundaries = new Map<string, TopicBoundary>();
  /** Per tailed topic, the same decode → validate → dedup step the ingest job runs. */
  private readonly admissions = new Map<string, EventAdmission>();
  /** Per topic and partition, the next offset expected; records below it are redeliveries. */
  private readonly next = new Map<string, Map<number, number>>();
  /** Accounts whose records make no hot rows (`lakegraph forget`). */
  private forgotten: ReadonlySet<string> = new Set();

  constructor(private readonly dedupOptions?: DedupOptions) {}

  /** Starts tailing `topic` at these offsets (partitions not named start at 0). */
  startTopic({ topic, contract }: TailedTopic, starts: ReadonlyMap<number, number>, boundary: TopicBoundary): void {
    if (!this.topics.includes(topic)) this.topics.push(topic);
    const admission = new EventAdmission(contract, this.dedupOptions);
    admission.forgotten = this.forgotten;
    this.admissions.set(topic, admission);
    this.next.set(topic, new Map(starts));
    this.boundaries.set(topic, boundary);
  }

  /** A newer snapshot: later records compare against its offsets. */
  setBoundary(topic: string, boundary: TopicBoundary): void {
    this.boundaries.set(topic, boundary);
  }

  /** From now on, records of these accounts are dropped. */
  setForgotten(accounts: ReadonlySet<string>): void {
    this.forgotten = accounts;
    for (const admission of this.admissions.values()) admission.forgotten = accounts;
  }

  /** The offset the tail reads next on a partition. */
  nextOffset(topic: string, partition: number): number {
    return this.next.get(topic)?.get(partition) ?? 0;
  }

  /** Returns false for a record that was already processed (a redelivery after a seek). */
  process(record: SourceRecord): boolean {
    const { topic, partition, offset } = record;
    const next = this.next.get(topic);
    const boundary = this.boundaries.get(topic);
    const admission = this.admissions.get(topic);
    if (next === undefined || boundary === undefined || admission === undefined) throw new Error(`record of ${topic} before startTopic`);
    if (offset < (next.get(partition) ?? 0)) return false;
    next.set(partition, offset + 1);
    if (admission.admit(record) !== 'admitted') return true;
    const at = this.buffer.at;
    at.edges = offset >= (boundary.edges.get(partition) ?? 0);
    at.nodes = offset >= (boundary.nodes.get(partition) ?? 0);
    if (!at.edges && !at.nodes) return true;
    at.topic = this.topics.indexOf(topic);
    at.partition = partition;
    at.offset = offset;
    mapEvent(admission.event!, this.buffer.sink);
    return true;
  }
}
