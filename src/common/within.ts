/**
 * A wait with a time limit for work that cannot be cancelled (kafkajs's sends, connects
 * and disconnects retry on their own): the caller stops waiting, the work goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** `work`'s outcome, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const abandon = new AbortController();
  const timeout = sleep(ms, undefined, { signal: abandon.signal }).then(() => {
    throw new Error(`${what} did not complete within ${ms >= 1_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    abandon.abort();
  }
}
