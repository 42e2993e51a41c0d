/**
 * Structured logs: one JSON object per line (`ts`, `level`, `msg`, then fields), so a log
 * shipper can index them without parsing prose. Written to stdout; the live status line
 * goes to stderr, so the two never interleave on one stream.
 */
import { stringifyJson } from '../../common/lossless-json.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export type JsonLog = (level: LogLevel, msg: string, fields?: LogFields) => void;

export function jsonLog(minLevel: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): JsonLog {
  const threshold = LOG_LEVELS.indexOf(minLevel);
  return (level, msg, fields) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    write(stringifyJson({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');
  };
}
