/**
 * A member's end of its group's control topic (`<topic>.lakegraph-control`, one partition):
 * it sends the member's contributions and waits for their outcomes, and feeds every
 * contribution and outcome it reads to the member's GroupCommitter, which commits for the
 * group while this member holds partition 0 (`elect`).
 *
 * Each process reads the control topic through a consumer group of its own (the group's
 * offsets are never committed: where to read is decided at start), and starts reading it
 * before the member joins the topic's group.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { assertCommitted, type Contribution, type ContributionOutcome } from '../commit/contribution.js';
import { decodeControlMessage, encodeControlMessage, type ControlMessage } from '../commit/control-message.js';
import { GroupCommitter } from '../commit/group-committer.js';
import type { TableCommitter } from '../commit/table-committer.js';
import type { GraphTables } from '../job/graph-tables.js';
import type { JsonLog } from '../metrics/json-log.js';
import { BROKER_RETRY } from './kafka-client.js';
import { controlTopicOf } from './topic-admin.js';

export interface ControlChannelOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly group: string;
  readonly tables: GraphTables;
  readonly commitIntervalMs: number;
  /** How long a member waits for its contribution's outcome before it re-reads from the lake instead. */
  readonly outcomeTimeoutMs: number;
  readonly log: JsonLog;
}

export class ControlChannel implements TableCommitter {
  readonly committer: GroupCommitter;
  private readonly controlTopic: string;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly waiting = new Map<string, (outcome: ContributionOutcome) => void>();

  constructor(private readonly options: ControlChannelOptions) {
    const { kafka, topic, group } = options;
    this.controlTopic = controlTopicOf(topic);
    this.producer = kafka.producer({ allowAutoTopicCreation: false, retry: BROKER_RETRY });
    this.consumer = kafka.consumer({ groupId: `${group}.control.${randomUUID()}`, maxWaitTimeInMs: 50, allowAutoTopicCreation: false, retry: BROKER_RETRY });
    this.committer = new GroupCommitter({
      tables: options.tables,
      intervalMs: options.commitIntervalMs,
      maxAgeMs: options.outcomeTimeoutMs,
      publish: (id, outcome) => this.send({ kind: 'outcome', group, id, outcome }),
      log: options.log,
    });
  }

  /**
   * Resolves once this process reads the control topic, from where it stood an outcome
   * timeout ago: a process that starts (or restarts) knows the contributions still awaited,
   * should it become the committer before their members give up on them.
   */
  async start(): Promise<void> {
    const { kafka, outcomeTimeoutMs } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    let from: string;
    try {
      [{ offset: from }] = await admin.fetchTopicOffsetsByTimestamp(this.controlTopic, Date.now() - outcomeTimeoutMs);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    await this.consumer.connect();
    const joined = this.next(this.consumer.events.GROUP_JOIN);
    await this.consumer.subscribe({ topic: this.controlTopic, fromBeginning: false });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) this.receive(message.value, Number(message.timestamp));
      },
    });
    await joined;
    const fetched = this.next(this.consumer.events.FETCH);
    this.consumer.seek({ topic: this.controlTopic, partition: 0, offset: from });
    await fetched;
  }

  /** Resolves at the consumer's next `event`. */
  private next(event: typeof this.consumer.events.GROUP_JOIN | typeof this.consumer.events.FETCH): Promise<void> {
    return new Promise((resolve) => {
      const off = this.consumer.on(event, () => {
        off();
        resolve();
      });
    });
  }

  /** Whether this member commits for the group: it holds partition 0 of the topic. */
  elect(holdsPartitionZero: boolean): void {
    this.committer.setActive(holdsPartitionZero);
  }

  async commit(contribution: Contribution): Promise<void> {
    const answered = new Promise<ContributionOutcome>((resolve) => this.waiting.set(contribution.id, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ContributionOutcome>((resolve) => {
      const reason = `${contribution.table}: no committer answered within ${this.options.outcomeTimeoutMs} ms (the group's committer is the member holding partition 0)`;
      timer = setTimeout(() => resolve({ kind: 'failed', reason }), this.options.outcomeTimeoutMs);
    });
    try {
      await this.send({ kind: 'contribution', group: this.options.group, contribution });
      assertCommitted(await Promise.race([answered, timedOut]));
    } finally {
      clearTimeout(timer);
      this.waiting.delete(contribution.id);
    }
  }

  async close(): Promise<void> {
    await this.committer.close();
    await this.consumer.disconnect().catch(() => {});
    await this.producer.disconnect().catch(() => {});
  }

  private async send(message: ControlMessage): Promise<void> {
    await this.producer.send({ topic: this.controlTopic, messages: [{ value: encodeControlMessage(message) }] });
  }

  private receive(value: Buffer, sentAt: number): void {
    const message = decodeControlMessage(value);
    if (message === undefined || message.group !== this.options.group) return;
    if (message.kind === 'contribution') {
      if (message.contribution.topic === this.options.topic) this.committer.offer(message.contribution, sentAt);
      return;
    }
    this.committer.answered(message.id);
    this.waiting.get(message.id)?.(message.outcome);
  }
}
