/**
 * Exponential backoff with full jitter, the one rule every retry loop here follows
 * (commit conflicts, snapshot expiry, DLQ sends, flush failures, object-store calls).
 * Full jitter spreads writers that failed together, so they do not collide again in step.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Backoff {
  /** The ceiling of the first delay; each attempt doubles it. */
  readonly baseMs: number;
  /** No delay ceiling grows past this. */
  readonly maxMs: number;
}

/** The delay before retry number `attempt` (1 for the first retry): uniform in [0, ceiling]. */
export function backoffDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return random() * ceiling;
}

export interface RetryOptions {
  readonly backoff: Backoff;
  /** Whether a failure may pass with time; any other failure is thrown at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Gives up after this many attempts in all (first try included). */
  readonly maxAttempts?: number;
  /** Gives up once this much time has passed since the first try, instead of sleeping past it. */
  readonly deadlineMs?: number;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Ends the wait before a retry at once when aborted, throwing the abort's reason; the attempt under way is not interrupted. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `work` until it succeeds, a failure is not retryable, or the attempts or the
 * deadline run out; then the last failure is thrown as it is (or the abort's reason, once
 * `signal` is aborted).
 */
export async function withRetries<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!options.retryable(error)) throw error;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) throw error;
      const delayMs = backoffDelayMs(options.backoff, attempt);
      if (options.deadlineMs !== undefined && Date.now() - startedAt + delayMs > options.deadlineMs) throw error;
      options.signal?.throwIfAborted();
      options.onRetry?.(error, attempt, delayMs);
      // An aborted sleep rejects with a plain AbortError; the caller's reason says more.
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => options.signal?.throwIfAborted());
    }
  }
}
