/** Writing and reading manifests: Avro files listing data files with their status. */
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/data-file.js';
import type { ColumnMetrics } from '../spec/metrics.js';
import {
  ManifestEntryStatus,
  type ManifestEntry,
  type ManifestFile,
  type PartitionFieldSummary,
  type ResolvedManifestEntry,
} from '../spec/manifest.js';
import type { PartitionSpec, PartitionValue } from '../spec/partition-spec.js';
import { fieldById, type Schema } from '../spec/schema.js';
import type { SnapshotId } from '../spec/snapshot.js';
import { serializeSingleValue } from '../spec/single-value.js';
import { parseTransform, transformResultType } from '../spec/transforms.js';
import { decodeAvroContainer, encodeAvroContainer } from './avro-container.js';
import { manifestEntrySchema, type PartitionFieldType } from './avro-schemas.js';

export function partitionFieldTypes(schema: Schema, spec: PartitionSpec): PartitionFieldType[] {
  return spec.fields.map((f) => ({
    name: f.name,
    fieldId: f['field-id'],
    type: transformResultType(parseTransform(f.transform), fieldById(schema, f['source-id']).type),
  }));
}

interface AvroKeyValue<V> {
  key: number;
  value: V;
}

interface AvroDataFile {
  content: number;
  file_path: string;
  file_format: string;
  partition: Record<string, PartitionValue>;
  record_count: bigint;
  file_size_in_bytes: bigint;
  column_sizes: AvroKeyValue<bigint>[] | null;
  value_counts: AvroKeyValue<bigint>[] | null;
  null_value_counts: AvroKeyValue<bigint>[] | null;
  nan_value_counts: AvroKeyValue<bigint>[] | null;
  lower_bounds: AvroKeyValue<Buffer>[] | null;
  upper_bounds: AvroKeyValue<Buffer>[] | null;
  key_metadata: Buffer | null;
  split_offsets: bigint[] | null;
  equality_ids: number[] | null;
  sort_order_id: number | null;
}

interface AvroManifestEntry {
  status: number;
  snapshot_id: bigint | null;
  sequence_number: bigint | null;
  file_sequence_number: bigint | null;
  data_file: AvroDataFile;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function mapToAvro<V, A>(map: ReadonlyMap<number, V>, convert: (v: V) => A): AvroKeyValue<A>[] {
  return [...map].map(([key, value]) => ({ key, value: convert(value) }));
}

function mapFromAvro<V, A>(pairs: AvroKeyValue<A>[] | null, convert: (a: A) => V): Map<number, V> {
  return new Map((pairs ?? []).map(({ key, value }) => [key, convert(value)]));
}

const same = <T>(v: T): T => v;
const toNullableLong = (n: number | null): bigint | null => (n === null ? null : BigInt(n));
const toNullableNumber = (n: bigint | null): number | null => (n === null ? null : Number(n));

function dataFileToAvro(file: DataFile, partition: readonly PartitionFieldType[]): AvroDataFile {
  const { metrics } = file;
  return {
    content: file.content,
    file_path: file.filePath,
    file_format: file.fileFormat,
    partition: Object.fromEntries(partition.map((f, i) => [f.name, file.partition[i] ?? null])),
    record_count: file.recordCount,
    file_size_in_bytes: file.fileSizeInBytes,
    column_sizes: mapToAvro(metrics.columnSizes, same),
    value_counts: mapToAvro(metrics.valueCounts, same),
    null_value_counts: mapToAvro(metrics.nullValueCounts, same),
    nan_value_counts: null,
    lower_bounds: mapToAvro(metrics.lowerBounds, toBuffer),
    upper_bounds: mapToAvro(metrics.upperBounds, toBuffer),
    key_metadata: null,
    split_offsets: null,
    equality_ids: null,
    sort_order_id: file.sortOrderId ?? null,
  };
}

function dataFileFromAvro(avro: AvroDataFile, specId: number, partitionNames: readonly string[]): DataFile {
  if (avro.content !== 0) throw new Error(`delete files are not supported (${avro.file_path})`);
  if (avro.file_format.toUpperCase() !== 'PARQUET') throw new Error(`unsupported file format ${avro.file_format}`);
  const metrics: ColumnMetrics = {
    columnSizes: mapFromAvro(avro.column_sizes, same),
    valueCounts: mapFromAvro(avro.value_counts, same),
    nullValueCounts: mapFromAvro(avro.null_value_counts, same),
    lowerBounds: mapFromAvro(avro.lower_bounds, (b: Buffer) => new Uint8Array(b)),
    upperBounds: mapFromAvro(avro.upper_bounds, (b: Buffer) => new Uint8Array(b)),
  };
  return {
    content: 0,
    filePath: avro.file_path,
    fileFormat: 'PARQUET',
    specId,
    partition: partitionNames.map((name) => avro.partition[name] ?? null),
    recordCount: avro.record_count,
    fileSizeInBytes: avro.file_size_in_bytes,
    metrics,
    ...(avro.sort_order_id !== null && { sortOrderId: avro.sort_order_id }),
  };
}

function comparePartitionValues(a: PartitionValue, b: PartitionValue): number {
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

function summarizePartitions(entries: readonly ManifestEntry[], partition: readonly PartitionFieldType[]): PartitionFieldSummary[] {
  return partition.map((field, i) => {
    let containsNull = false;
    let lower: PartitionValue = null;
    let upper: PartitionValue = null;
    for (const { dataFile } of entries) {
      const value = dataFile.partition[i];
      if (value === null) containsNull = true;
      else {
        if (lower === null || comparePartitionValues(value, lower) < 0) lower = value;
        if (upper === null || comparePartitionValues(value, upper) > 0) upper = value;
      }
    }
    return {
      containsNull,
      containsNan: null,
      lowerBound: lower === null ? null : serializeSingleValue(field.type, lower),
      upperBound: upper === null ? null : serializeSingleValue(field.type, upper),
    };
  });
}

export interface ManifestWriteContext {
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  /** The snapshot that writes the manifest; entries with a null snapshot id inherit it. */
  readonly snapshotId: SnapshotId;
  /** The committing snapshot's sequence number; entries with a null one inherit it. */
  readonly sequenceNumber: number;
}

/** Writes a manifest and returns its manifest-list entry. */
export async function writeManifest(
  io: FileIO,
  location: string,
  entries: readonly ManifestEntry[],
  context: ManifestWriteContext,
): Promise<ManifestFile> {
  const partition = partitionFieldTypes(context.schema, context.spec);
  const records: AvroManifestEntry[] = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: toNullableLong(e.sequenceNumber),
    file_sequence_number: toNullableLong(e.fileSequenceNumber),
    data_file: dataFileToAvro(e.dataFile, partition),
  }));
  const bytes = encodeAvroContainer(manifestEntrySchema(partition), records, {
    schema: JSON.stringify(context.schema),
    'schema-id': String(context.schema['schema-id']),
    'partition-spec': JSON.stringify(context.spec.fields),
    'partition-spec-id': String(context.spec['spec-id']),
    'format-version': '2',
    content: 'data',
  });
  await io.write(location, bytes);

  const counts = { [ManifestEntryStatus.Existing]: 0, [ManifestEntryStatus.Added]: 0, [ManifestEntryStatus.Deleted]: 0 };
  const rows = { [ManifestEntryStatus.Existing]: 0n, [ManifestEntryStatus.Added]: 0n, [ManifestEntryStatus.Deleted]: 0n };
  let minSequenceNumber = context.sequenceNumber;
  for (const entry of entries) {
    counts[entry.status]++;
    rows[entry.status] += entry.dataFile.recordCount;
    if (entry.status !== ManifestEntryStatus.Deleted && entry.sequenceNumber !== null) {
      minSequenceNumber = Math.min(minSequenceNumber, entry.sequenceNumber);
    }
  }
  return {
    manifestPath: location,
    manifestLength: BigInt(bytes.byteLength),
    partitionSpecId: context.spec['spec-id'],
    content: 0,
    sequenceNumber: context.sequenceNumber,
    minSequenceNumber,
    addedSnapshotId: context.snapshotId,
    addedFilesCount: counts[ManifestEntryStatus.Added],
    existingFilesCount: counts[ManifestEntryStatus.Existing],
    deletedFilesCount: counts[ManifestEntryStatus.Deleted],
    addedRowsCount: rows[ManifestEntryStatus.Added],
    existingRowsCount: rows[ManifestEntryStatus.Existing],
    deletedRowsCount: rows[ManifestEntryStatus.Deleted],
    partitions: summarizePartitions(entries, partition),
  };
}

/** Reads a manifest's entries with snapshot id and sequence numbers inherited (spec: "Sequence Number Inheritance"). */
export async function readManifest(io: FileIO, manifest: ManifestFile): Promise<ResolvedManifestEntry[]> {
  const { records, metadata } = decodeAvroContainer<AvroManifestEntry>(await io.read(manifest.manifestPath));
  const specId = Number(metadata.get('partition-spec-id') ?? manifest.partitionSpecId);
  const partitionNames = partitionNamesOfFile(metadata);
  return records.map((r) => {
    const status = r.status as ManifestEntryStatus;
    const inherited = status === ManifestEntryStatus.Added ? manifest.sequenceNumber : null;
    const sequenceNumber = toNullableNumber(r.sequence_number) ?? inherited;
    const fileSequenceNumber = toNullableNumber(r.file_sequence_number) ?? inherited;
    if (sequenceNumber === null || fileSequenceNumber === null) {
      throw new Error(`${manifest.manifestPath}: a ${status === 0 ? 'existing' : 'deleted'} entry lacks its sequence number`);
    }
    return {
      status,
      snapshotId: r.snapshot_id ?? manifest.addedSnapshotId,
      sequenceNumber,
      fileSequenceNumber,
      dataFile: dataFileFromAvro(r.data_file, specId, partitionNames),
    };
  });
}

/** Partition tuple order, from the manifest's own `partition-spec` key; Avro records carry values by name. */
function partitionNamesOfFile(metadata: ReadonlyMap<string, string>): string[] {
  const fields = JSON.parse(metadata.get('partition-spec') ?? '[]') as PartitionSpec['fields'];
  return fields.map((f) => f.name);
}
