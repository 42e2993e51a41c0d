/**
 * Durations as people write them on a command line or in a query string (`90s`, `5m`,
 * `30d`, `250ms`, or bare milliseconds). Shared by the CLI flags and the query requests,
 * which each turn a refusal into their own kind of error.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_EXAMPLES = 'use e.g. 90s, 5m, 2h or 30d';

/** Milliseconds, or undefined when `text` is not a duration. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!) : undefined;
}
