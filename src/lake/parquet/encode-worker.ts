/**
 * Worker thread body: Arrow IPC stream in, Parquet file bytes out. parquet-wasm's encoder
 * is synchronous CPU work; running it here lets a flush encode several partition files
 * at once and keeps the stream loop's thread free.
 */
import { parentPort } from 'node:worker_threads';
import * as parquet from 'parquet-wasm';

export interface EncodeRequest {
  readonly id: number;
  readonly ipc: Uint8Array;
}

export type EncodeResponse = { readonly id: number; readonly file: Uint8Array } | { readonly id: number; readonly error: string };

/**
 * Rows per row group. Files are sorted by the table's sort order, so row-group min/max
 * on the key (e.g. `src_id`) let a reader skip every row group but the member's; the
 * bound keeps a large file (compaction output) from being one or two giant row groups.
 * Smaller groups prune finer but compress worse and add footer entries (see
 * docs/BENCHMARKS.md, graph queries).
 */
export const MAX_ROW_GROUP_ROWS = 32_768;

/**
 * zstd is Iceberg's default codec: about a quarter smaller than snappy here for ~10% more
 * encode time. Statistics per column chunk (not per page) keep row-group pruning for
 * readers and skip the page-index work, which cost ~20% of encode time on edge rows.
 */
export function encodeIpcToParquet(ipc: Uint8Array): Uint8Array<ArrayBuffer> {
  const properties = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(MAX_ROW_GROUP_ROWS)
    .build();
  // writeParquet consumes (frees) both the wasm table and the properties, and copies the
  // file out of wasm memory into a fresh ArrayBuffer, so the narrower type holds.
  return parquet.writeParquet(parquet.Table.fromIPCStream(ipc), properties) as Uint8Array<ArrayBuffer>;
}

parentPort?.on('message', ({ id, ipc }: EncodeRequest) => {
  try {
    const file = encodeIpcToParquet(ipc);
    parentPort!.postMessage({ id, file } satisfies EncodeResponse, [file.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies EncodeResponse);
  }
});
