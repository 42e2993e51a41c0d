/** A data file as a manifest entry describes it (spec: "Manifests", data_file struct). */
import type { ColumnMetrics } from './metrics.js';
import type { PartitionValues } from './partition-spec.js';

export interface DataFile {
  /** 0 = data; lakegraph writes no delete files. */
  readonly content: 0;
  /** Absolute location, as readers open it. */
  readonly filePath: string;
  readonly fileFormat: 'PARQUET';
  /** Partition tuple under the spec `specId`, aligned with its fields. */
  readonly specId: number;
  readonly partition: PartitionValues;
  readonly recordCount: bigint;
  readonly fileSizeInBytes: bigint;
  readonly metrics: ColumnMetrics;
  /** The table sort order the file's rows follow; absent when unsorted. */
  readonly sortOrderId?: number;
}

