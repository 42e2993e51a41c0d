/**
 * Which data files a compaction rewrites together. Per partition, files smaller than a
 * share of the target size are packed first-fit-decreasing into bins of at most the
 * target's worth of input; a bin is worth rewriting when it merges several files, or
 * when it holds a file that must be rewritten anyway (rows past the TTL).
 */
import { groupBy } from '../common/group-by.js';
import type { DataFile } from '../lake/spec/data-file.js';

export interface BinPackOptions {
  readonly targetFileBytes: number;
  /** A file at or above this share of the target counts as compacted already (Java's default, 0.75). */
  readonly smallFileRatio?: number;
}

export interface RewriteBin {
  readonly files: readonly DataFile[];
  readonly inputBytes: bigint;
}

export function partitionKeyOf(file: DataFile): string {
  return JSON.stringify([file.specId, ...file.partition.map((v) => (typeof v === 'bigint' ? v.toString() : v))]);
}

export function planBins(files: readonly DataFile[], options: BinPackOptions, mustRewrite: (file: DataFile) => boolean = () => false): RewriteBin[] {
  const smallBelow = BigInt(Math.floor(options.targetFileBytes * (options.smallFileRatio ?? 0.75)));
  const target = BigInt(options.targetFileBytes);
  const byPartition = groupBy(files.filter((file) => file.fileSizeInBytes < smallBelow || mustRewrite(file)), partitionKeyOf);
  const bins: RewriteBin[] = [];
  for (const candidates of byPartition.values()) {
    candidates.sort((a, b) => (a.fileSizeInBytes > b.fileSizeInBytes ? -1 : a.fileSizeInBytes < b.fileSizeInBytes ? 1 : 0));
    const open: { files: DataFile[]; inputBytes: bigint }[] = [];
    for (const file of candidates) {
      const bin = open.find((b) => b.inputBytes + file.fileSizeInBytes <= target);
      if (bin) {
        bin.files.push(file);
        bin.inputBytes += file.fileSizeInBytes;
      } else open.push({ files: [file], inputBytes: file.fileSizeInBytes });
    }
    bins.push(...open.filter((b) => b.files.length > 1 || b.files.some(mustRewrite)));
  }
  return bins;
}
