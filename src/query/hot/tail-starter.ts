/**
 * Starts a session's Kafka tail in the background and keeps trying, with a backoff, while
 * the brokers are unreachable or none of the tailed topics exists yet. A service answers
 * from the snapshot meanwhile and catches up once the tail runs; before, `serve` waited for
 * kafkajs's minute of reconnects and answered nothing, not even /healthz (issue 15).
 *
 * How soon a try fails, and so how soon the health says "down", is the Kafka client's
 * retry setting: `serve` and `query` give theirs TAIL_RETRY (about two seconds).
 */
import type { Kafka } from 'kafkajs';
import { withRetries } from '../../common/backoff.js';
import { errorMessage } from '../../common/error-message.js';
import { within } from '../../common/within.js';
import type { JsonLog } from '../../stream/metrics/json-log.js';
import { KafkaTail } from './kafka-tail.js';
import type { TailHealth } from './tail-health.js';
import type { TailDecoder, TailedTopic } from './tail-decoder.js';

const START_BACKOFF = { baseMs: 250, maxMs: 5_000 };
/** Stopping does not wait longer than this for kafkajs to leave the group: with the broker down it would retry for a minute. */
const STOP_GRACE_MS = 1_000;

class NoTailedTopicYet extends Error {
  override readonly name = 'NoTailedTopicYet';
  constructor(topics: readonly TailedTopic[]) {
    super(`none of ${topics.map((t) => t.topic).join(', ')} exists on the brokers yet`);
  }
}

export interface TailStart {
  readonly kafka: Kafka;
  readonly topics: readonly TailedTopic[];
  /** Sets up the session's decoder for the topics that exist, from its snapshot of that moment. */
  readonly begin: (tailed: readonly TailedTopic[]) => Promise<TailDecoder>;
  /** Called after each batch, with the decoder's buffer holding the batch's rows. */
  readonly onBatch: () => void;
  readonly log?: JsonLog;
}

export class TailStarter {
  private tail: KafkaTail | undefined;
  private health: TailHealth = { state: 'connecting' };
  private readonly stopping = new AbortController();
  /** Resolves once the brokers answered: the tail runs, or none of its topics exists. */
  private readonly answered: Promise<void>;
  private answer: () => void = () => {};

  constructor(private readonly start: TailStart) {
    this.answered = new Promise((resolve) => (this.answer = resolve));
    void withRetries(() => this.tryStart(), {
      backoff: START_BACKOFF,
      retryable: () => true,
      signal: this.stopping.signal,
      onRetry: (error) => this.report(error),
    }).catch(() => {}); // only a stop ends the retries
  }

  status(): TailHealth {
    return this.tail?.health() ?? this.health;
  }

  /** Backpressure, passed on to the running tail (without one, nothing fills the hot tier). */
  setPaused(paused: boolean): void {
    this.tail?.setPaused(paused);
  }

  /** The running tail once the brokers answer, undefined if none of its topics exists; rejects after `timeoutMs` with why not. */
  async started(timeoutMs: number): Promise<KafkaTail | undefined> {
    try {
      await within(this.answered, timeoutMs, 'the Kafka tail start');
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${this.health.error ?? 'still connecting'}`, { cause: error });
    }
    return this.tail;
  }

  /** A try under way is not waited for: it stops what it started once it sees the abort. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.tail !== undefined) await within(this.tail.stop(), STOP_GRACE_MS, 'stopping the Kafka tail').catch(() => {});
  }

  private async tryStart(): Promise<void> {
    const { kafka, topics, begin, onBatch, log } = this.start;
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics().finally(() => admin.disconnect()));
    const tailed = topics.filter((t) => existing.has(t.topic));
    if (tailed.length === 0) {
      this.answer();
      throw new NoTailedTopicYet(topics);
    }
    const decoder = await begin(tailed);
    const tail = new KafkaTail(kafka, decoder.topics, decoder, onBatch);
    try {
      await tail.start();
    } catch (error) {
      await tail.stop();
      throw error;
    }
    if (this.stopping.signal.aborted) return tail.stop();
    this.tail = tail;
    log?.('info', 'Kafka tail started', { topics: tail.topics });
    this.answer();
  }

  /** Logs a change of state only: a try every few seconds would flood the log. */
  private report(error: unknown): void {
    const next: TailHealth = error instanceof NoTailedTopicYet ? { state: 'no-topics', error: error.message } : { state: 'down', error: errorMessage(error) };
    if (next.state !== this.health.state) {
      this.start.log?.('warn', next.state === 'down' ? 'Kafka tail down; answering from the snapshot, retrying' : 'no tailed topic on the brokers yet; looking again', { error: next.error });
    }
    this.health = next;
  }
}
