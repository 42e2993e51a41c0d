/** When scheduled maintenance runs: at a fixed interval or on a cron expression. */
import { Cron } from 'croner';

export interface Schedule {
  readonly description: string;
  /** When the next run starts, given when the previous one started. */
  nextAfter(previousStart: Date): Date;
}

/** The next run starts `intervalMs` after the previous one started (at once if that run took longer). */
export function intervalSchedule(intervalMs: number, description: string): Schedule {
  if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs} ms`);
  return { description, nextAfter: (previous) => new Date(previous.getTime() + intervalMs) };
}

/** @throws Error with croner's explanation when the expression is not valid cron. */
export function cronSchedule(expression: string): Schedule {
  const cron = new Cron(expression, { paused: true });
  return {
    description: `cron "${expression}"`,
    nextAfter(previous) {
      const next = cron.nextRun(previous);
      if (next === null) throw new Error(`cron "${expression}" has no run after ${previous.toISOString()}`);
      return next;
    },
  };
}
