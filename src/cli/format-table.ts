/** Renders rows as an aligned text table for people (programs use --json). */
import { displayWidth, padToWidth } from './display-width.js';

export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  if (rows.length === 0) return '(no rows)';
  const names = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = names.map((n) => Math.max(displayWidth(n), ...rows.map((r) => displayWidth(cell(r[n])))));
  const line = (values: string[]) => values.map((v, i) => padToWidth(v, widths[i])).join('  ').trimEnd();
  return [line([...names]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(names.map((n) => cell(r[n]))))].join('\n');
}
