/** The rows each concurrent writer appends, shared by the writers and the checking test. */
import type * as arrow from 'apache-arrow';
import { edgeRows } from './lake-edge-rows.js';

export const ROWS_PER_COMMIT = 12;
const START_MICROS = Date.parse('2025-11-20T00:00:00Z') * 1000;

export function concurrentBatch(writer: number, commit: number): arrow.Table {
  return edgeRows(writer * 1000 + commit, ROWS_PER_COMMIT, START_MICROS + commit * 60_000_000, 1, 3);
}

export function writerCommitsKey(writer: number): string {
  return `lakegraph.test.writer-${writer}.commits`;
}
