/**
 * Per-file column metrics as Iceberg manifests store them (data_file fields 108–128),
 * keyed by field id. Bounds use Iceberg's single-value binary serialization
 * (spec Appendix D): little-endian ints/longs, micros for timestamps, UTF-8 for strings.
 */
export interface ColumnMetrics {
  readonly columnSizes: ReadonlyMap<number, bigint>;
  readonly valueCounts: ReadonlyMap<number, bigint>;
  readonly nullValueCounts: ReadonlyMap<number, bigint>;
  readonly lowerBounds: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds: ReadonlyMap<number, Uint8Array>;
}
