/**
 * One topic job fed by a Kafka consumer group: the production counterpart of the
 * embedded pipeline. This is the kafkajs shell — the consumer's and the DLQ producer's
 * life cycle, and kafkajs's events and batches handed to the Kafka-free IngestScheduler
 * (job/ingest-scheduler.ts), which decides what happens with them.
 */
import type { Consumer, EachBatchPayload, Kafka, PartitionAssigner } from 'kafkajs';
import { IngestScheduler, type FetchedBatch, type IngestSchedulerOptions, type IngestSource, type StopReason } from '../job/ingest-scheduler.js';
import type { TopicJob } from '../job/topic-job.js';
import type { ControlChannel } from './control-channel.js';
import { BROKER_RETRY, withOwnConnections } from './kafka-client.js';
import { DlqProducer } from './dlq-producer.js';
import { EndOffsets } from './end-offsets.js';
import { sourceRecordOf } from './kafka-record.js';
import { subscribedTopicsAssigner } from './subscribed-topics-assigner.js';

export interface KafkaIngestOptions extends Omit<IngestSchedulerOptions, 'source' | 'job'> {
  readonly kafka: Kafka;
  readonly job: TopicJob;
  readonly groupId: string;
  readonly sessionTimeoutMs?: number;
  /** With one committer for the group: the job's control channel (the job commits through it). */
  readonly control?: ControlChannel;
}

/**
 * `assigner`, but as the group's leader it hands out partitions only once this member's
 * rebalance commit is done, so the partitions it gives up are in the lake before their new
 * owners reload them (a new owner that read them from older offsets would be fenced and
 * read them again). It waits at most `boundMs`: with one committer for the group, that
 * commit may wait for a committer that is gone until this very assignment names the next.
 */
function leaderCommitsFirst(assigner: PartitionAssigner, committed: () => Promise<void>, boundMs: number): PartitionAssigner {
  return (config) => {
    const inner = assigner(config);
    return {
      ...inner,
      assign: async (group) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([committed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))]);
        clearTimeout(timer);
        return inner.assign(group);
      },
    };
  };
}

export class KafkaTopicIngest {
  private readonly consumer: Consumer;
  private readonly dlq: DlqProducer;
  private readonly endOffsets: EndOffsets;
  private readonly topic: string;
  private readonly scheduler: IngestScheduler;

  constructor(private readonly options: KafkaIngestOptions) {
    const { kafka, groupId, sessionTimeoutMs, control, ...scheduling } = options;
    this.topic = options.job.topic;
    const sessionTimeout = sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      maxBytes: 16 << 20,
      maxBytesPerPartition: 4 << 20,
      // Seeks take effect only when the fetch in flight returns; an idle fetch waits this long.
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      retry: BROKER_RETRY,
      partitionAssigners: [leaderCommitsFirst(subscribedTopicsAssigner, () => this.scheduler.rebalanceCommitted(), sessionTimeout / 2)],
    });
    this.dlq = new DlqProducer(kafka, this.topic, options.log);
    this.endOffsets = new EndOffsets(kafka, this.topic);
    this.scheduler = new IngestScheduler({ ...scheduling, source: this.source() });
    // Emitted once the fetches have stopped and just before the member rejoins (eager rebalancing).
    this.consumer.on(this.consumer.events.REBALANCING, () => this.scheduler.rebalancing());
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[this.topic] ?? [];
      // At once, not in the scheduler's next step: that step may wait for this member's own
      // rebalance commit, which only the new committer can land.
      control?.elect(partitions.includes(0));
      this.scheduler.assign(partitions);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      options.log(payload.restart ? 'warn' : 'error', 'consumer crashed', { error: payload.error.message, restart: payload.restart });
      if (!payload.restart) this.scheduler.fail(payload.error);
    });
  }

  /** Consumes until `stop()` or the idle limit; resolves once the last window is committed, the group left and every connection closed. */
  async run(): Promise<StopReason> {
    await withOwnConnections(() => this.consume());
    return this.scheduler.outcome();
  }

  stop(reason: StopReason = 'signal'): void {
    this.scheduler.stop(reason);
  }

  private async consume(): Promise<void> {
    this.scheduler.start();
    try {
      await this.options.control?.start();
      await this.consumer.connect();
      await this.dlq.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await this.consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: false,
        eachBatch: (payload) => this.scheduler.batch(this.fetchedBatch(payload)),
      });
      await this.scheduler.stopped;
      await this.scheduler.drain();
    } finally {
      await this.scheduler.close();
      await this.consumer.disconnect().catch(() => {});
      await this.dlq.close().catch(() => {});
      await this.endOffsets.close().catch(() => {});
      await this.options.control?.close();
    }
  }

  private source(): IngestSource {
    const { consumer, topic } = this;
    return {
      seek: (partition, offset) => consumer.seek({ topic, partition, offset: String(offset) }),
      commitOffsets: (next) => consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }))),
      endOffsets: () => this.endOffsets.fetch(),
      sendRejected: (rejected) => this.dlq.send(rejected),
    };
  }

  private fetchedBatch({ batch, isStale, resolveOffset }: EachBatchPayload): FetchedBatch {
    const { partition, messages } = batch;
    return {
      partition,
      size: messages.length,
      record: (index) => sourceRecordOf(this.topic, partition, messages[index]!),
      highWatermark: Number(batch.highWatermark),
      isStale,
      // Moves kafkajs's fetch position on (autoCommit is off, so nothing is committed by it).
      resolve: () => resolveOffset(batch.lastOffset()),
    };
  }
}
