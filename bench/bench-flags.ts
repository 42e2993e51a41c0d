/** Flags of the benches, as node:util's parseArgs hands them over (strings). */

/** The flag's value as a positive whole number; anything else stops the bench saying so. */
export function positiveFlag(flags: Readonly<Record<string, unknown>>, name: string): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not ${String(flags[name])}`);
  return n;
}
