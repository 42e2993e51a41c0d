/**
 * The rewrite step of compaction, for one table: bin-pack the live files of each
 * partition, merge each bin's rows into new files of the table's current partition spec
 * (files of an earlier spec are always rewritten), drop rows past the TTL, and swap
 * old files for new in one commit. A `replace` when only merging (the rows' aggregates
 * are unchanged), an `overwrite` when the TTL removed rows. The commit validates on
 * every rebase that the files it removes are still live, and keeps every append that
 * landed meanwhile, so ingest running beside it loses nothing.
 */
import type { DataFile } from '../lake/spec/data-file.js';
import { currentSchema } from '../lake/spec/table-metadata.js';
import { planFiles } from '../lake/scan/plan-files.js';
import { ReplaceConflictError } from '../lake/table/replace.js';
import type { Table } from '../lake/table/table.js';
import { writeDataFiles } from '../lake/table/write-data-files.js';
import { arrowSchemaOf, type TableName } from '../lake/tables.js';
import { planBins } from './bin-pack.js';
import { expiredRowsQuery, mergeQuery } from './merge-sql.js';
import { retentionOf, type RetentionVerdict } from './retention.js';
import type { RowMerger } from './row-merger.js';
import { localReplicasOf } from '../lake/io/local-replicas.js';

export interface RewriteOptions {
  readonly targetFileBytes: number;
  /** Rows whose retention column is older than this (epoch µs) are dropped. */
  readonly ttlCutoffMicros?: bigint;
  readonly dryRun: boolean;
  readonly onBinDone?: (done: number, total: number) => void;
  /** Test hook: reached after the new files are written, before they are committed. */
  readonly onFilesWritten?: () => void;
}

export interface FileSetSize {
  readonly files: number;
  readonly bytes: bigint;
  readonly records: bigint;
}

export interface RewriteResult {
  readonly before: FileSetSize;
  /** Projected from the plan in a dry run: rewritten bins are counted as one file each, sizes unknown. */
  readonly after: FileSetSize;
  readonly bins: number;
  readonly filesRewritten: number;
  readonly filesWritten: number;
  /** Rows read from the rewritten files (the compaction's input). */
  readonly rowsRewritten: bigint;
  /** Whole files dropped because every row in them was past the TTL. */
  readonly filesExpired: number;
  readonly rowsMerged: bigint;
  readonly rowsExpired: bigint;
  /**
   * Another writer (a compaction on another host, a foreign engine) removed some of the
   * files first; nothing was committed and the new files were deleted. The next run
   * plans again from the table as it is then.
   */
  readonly conflicted: boolean;
}

export function sizeOf(files: readonly DataFile[]): FileSetSize {
  return {
    files: files.length,
    bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0n),
    records: files.reduce((n, f) => n + f.recordCount, 0n),
  };
}

export async function rewriteDataFiles(table: Table, name: TableName, merger: RowMerger, options: RewriteOptions): Promise<RewriteResult> {
  const metadata = await table.refresh();
  const { files } = await planFiles(table.io, metadata);
  const cutoff = options.ttlCutoffMicros;
  const verdict: (file: DataFile) => RetentionVerdict =
    cutoff === undefined ? () => 'retained' : retentionOf(currentSchema(metadata), name, cutoff);
  const expired = files.filter((f) => verdict(f) === 'expired');
  // Files of an earlier partition spec are rewritten whatever their size, into the current one.
  const defaultSpecId = metadata['default-spec-id'];
  const bins = planBins(
    files.filter((f) => verdict(f) !== 'expired'),
    { targetFileBytes: options.targetFileBytes },
    (f) => verdict(f) === 'partly-expired' || f.specId !== defaultSpecId,
  );
  const rewritten = bins.flatMap((b) => b.files);
  const removed = [...expired, ...rewritten];
  const before = sizeOf(files);
  const removedSize = sizeOf(removed);
  const rowsRewritten = sizeOf(rewritten).records;
  const expiredRows = removedSize.records - rowsRewritten;

  if (options.dryRun || removed.length === 0) {
    return {
      before,
      after: { files: before.files - removed.length + bins.length, bytes: before.bytes, records: before.records - expiredRows },
      bins: bins.length,
      filesRewritten: rewritten.length,
      filesWritten: 0,
      rowsRewritten,
      filesExpired: expired.length,
      rowsMerged: 0n,
      rowsExpired: expiredRows,
      conflicted: false,
    };
  }

  const schema = currentSchema(metadata);
  const written: DataFile[] = [];
  let rowsExpired = expiredRows;
  try {
    for (const [i, bin] of bins.entries()) {
      const paths = await localReplicasOf(table.io).pathsOf(bin.files.map((f) => f.filePath));
      if (cutoff !== undefined && bin.files.some((f) => verdict(f) === 'partly-expired')) {
        rowsExpired += await merger.count(expiredRowsQuery(name, schema, paths, cutoff));
      }
      written.push(...(await writeDataFiles(table, await merger.toArrow(mergeQuery(name, schema, paths, cutoff), arrowSchemaOf(schema)))));
      options.onBinDone?.(i + 1, bins.length);
    }
    options.onFilesWritten?.();
    const transaction = rowsExpired > 0n ? table.newOverwrite() : table.newReplace();
    await transaction.deleteFiles(removed).addFiles(written).commit();
  } catch (error) {
    // A conflict proves the new files were not committed; any other failure may have
    // committed them, so they are left for orphan cleanup to judge.
    if (!(error instanceof ReplaceConflictError)) throw error;
    await Promise.all(written.map((f) => table.io.delete(f.filePath)));
    return { before, after: before, bins: 0, filesRewritten: 0, filesWritten: 0, rowsRewritten: 0n, filesExpired: 0, rowsMerged: 0n, rowsExpired: 0n, conflicted: true };
  }
  const removedSet = new Set(removed);
  const kept = files.filter((f) => !removedSet.has(f));
  const after = sizeOf([...kept, ...written]);
  return {
    before,
    after,
    bins: bins.length,
    filesRewritten: rewritten.length,
    filesWritten: written.length,
    rowsRewritten,
    filesExpired: expired.length,
    rowsMerged: before.records - rowsExpired - after.records,
    rowsExpired,
    conflicted: false,
  };
}
