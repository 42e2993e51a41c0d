/**
 * The index window of `serve --index-window D`: the edge index holds the committed rows
 * last seen at or after its start, and a query whose window starts there or later is
 * answered from it; one reaching further back reads the data files (graph-queries.ts).
 *
 * The start is the beginning of the UTC day that holds now − D, so it moves once a day:
 * `graph.edges` is partitioned by day(last_seen), so whole files enter and leave the index,
 * and the pre-window summary (pre-window-edges.ts) is rebuilt once a day instead of at
 * every refresh. The index therefore holds between D and D + 1 day of rows.
 */
import { between } from '../../lake/scan/filter.js';
import type { DataFile } from '../../lake/spec/data-file.js';
import { prunedFiles, type TableSnapshot } from '../snapshot-tier.js';

const DAY_MS = 86_400_000;

/**
 * Default of `--index-window`: every row. A window bounds memory, but for now each query
 * inside it also reads the whole pre-window summary (86 against 21 ms p50 at 5M rows,
 * docs/BENCHMARKS.md), so it is opted into — the deploy manifests do, with 7d, the longest
 * window the dashboards ask for ("devices in the last 7 days").
 */
export const DEFAULT_INDEX_WINDOW = 'all';

/** Epoch ms where the window of length `lengthMs` starts at `nowMs`. */
export function indexWindowStartMs(lengthMs: number, nowMs: number): number {
  return Math.floor((nowMs - lengthMs) / DAY_MS) * DAY_MS;
}

/** A data file the index loads, and the rows it keeps of it (epoch µs; -Infinity: all). */
export interface WindowedFile {
  readonly file: DataFile;
  readonly fromMicros: number;
}

export interface WindowSplit {
  /** Files that may hold rows at or after the start; those that may also hold older rows are filtered by row. */
  readonly inWindow: readonly WindowedFile[];
  /** Files that may hold rows before the start (partition day, then last_seen bounds). */
  readonly beforeWindow: readonly DataFile[];
}

/** Splits the table's files at `startMs` using day(last_seen) partitions and last_seen bounds; a file straddling it is on both sides. */
export function splitAtWindowStart(table: TableSnapshot, startMs: number): WindowSplit {
  if (startMs === -Infinity) return { inWindow: table.files.map((file) => ({ file, fromMicros: -Infinity })), beforeWindow: [] };
  const startMicros = BigInt(startMs) * 1000n;
  const beforeWindow = prunedFiles(table, [between('last_seen', undefined, startMicros - 1n)]);
  const straddling = new Set(beforeWindow);
  const inWindow = prunedFiles(table, [between('last_seen', startMicros)]).map((file) => ({ file, fromMicros: straddling.has(file) ? startMs * 1000 : -Infinity }));
  return { inWindow, beforeWindow };
}
