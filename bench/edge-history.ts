/**
 * A `graph.edges` table the way a streaming writer leaves it, for benchmarks that read one:
 * synthetic rows (edge-table.ts) committed through the real write path in appends of
 * `chunkRows`, each append shifted to its own ten minutes of event time so the newest
 * ends now. Data files, manifests and snapshots are what a long-running ingest makes.
 */
import type * as arrow from 'apache-arrow';
import type { Catalog } from '../src/lake/catalog/catalog.js';
import { writeDataFiles } from '../src/lake/table/write-data-files.js';
import { openGraphTables } from '../src/stream/job/graph-tables.js';
import { syntheticEdges } from './edge-table.js';

/** edge-table.ts spreads a batch's last_seen over 660 s from a fixed epoch; chunks sit 10 min apart. */
const SYNTHETIC_EPOCH_MICROS = 1_764_150_000_000_000;
const SYNTHETIC_SPAN_MICROS = 660_000_000;
const CHUNK_STEP_MICROS = 600_000_000;

/** Moves a timestamp column by `deltaMicros` in place, as two 32-bit words per value (no BigInt per row). */
function shiftTimestamps(table: arrow.Table, column: string, deltaMicros: number): void {
  for (const data of table.getChild(column)!.data) {
    const words = new Uint32Array(data.values.buffer, data.values.byteOffset, data.length * 2);
    for (let i = 0; i < words.length; i += 2) {
      const shifted = words[i + 1]! * 2 ** 32 + words[i]! + deltaMicros;
      words[i] = shifted % 2 ** 32;
      words[i + 1] = Math.floor(shifted / 2 ** 32);
    }
  }
}

/**
 * Appends `rows` edge rows to the catalog's `graph.edges` (created if missing), printing
 * progress to stderr. `stepMicros`: event time between chunks (default 10 minutes; longer
 * spreads the history over days, as a table older than `serve`'s index window is).
 */
export async function writeEdgeHistory(catalog: Catalog, rows: number, chunkRows: number, nowMicros: number, stepMicros = CHUNK_STEP_MICROS): Promise<void> {
  const tables = await openGraphTables(catalog);
  const chunks = Math.ceil(rows / chunkRows);
  const started = performance.now();
  for (let c = 0; c < chunks; c++) {
    const chunk = syntheticEdges(Math.min(chunkRows, rows - c * chunkRows), c + 1);
    const delta = nowMicros - SYNTHETIC_SPAN_MICROS - SYNTHETIC_EPOCH_MICROS - (chunks - 1 - c) * stepMicros;
    shiftTimestamps(chunk, 'first_seen', delta);
    shiftTimestamps(chunk, 'last_seen', delta);
    await tables.edges.newAppend().addFiles(await writeDataFiles(tables.edges, chunk)).commit();
    process.stderr.write(`\rwarehouse: ${Math.min((c + 1) * chunkRows, rows)} / ${rows} rows, ${c + 1} commits, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  process.stderr.write('\n');
}
