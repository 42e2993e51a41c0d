/** Writing and reading manifest lists: the Avro file a snapshot points at. */
import type { FileIO } from '../io/file-io.js';
import type { ManifestFile, PartitionFieldSummary } from '../spec/manifest.js';
import type { SnapshotId } from '../spec/snapshot.js';
import { decodeAvroContainer, encodeAvroContainer } from './avro-container.js';
import { MANIFEST_LIST_SCHEMA } from './avro-schemas.js';

interface AvroFieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Buffer | null;
  upper_bound: Buffer | null;
}

interface AvroManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  partition_spec_id: number;
  content: number;
  sequence_number: bigint;
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: bigint;
  existing_rows_count: bigint;
  deleted_rows_count: bigint;
  partitions: AvroFieldSummary[] | null;
  key_metadata: Buffer | null;
}

const toBuffer = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const fromBuffer = (b: Buffer | null): Uint8Array | null => (b === null ? null : new Uint8Array(b));

function toAvro(m: ManifestFile): AvroManifestFile {
  return {
    manifest_path: m.manifestPath,
    manifest_length: m.manifestLength,
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: m.addedRowsCount,
    existing_rows_count: m.existingRowsCount,
    deleted_rows_count: m.deletedRowsCount,
    partitions: m.partitions.map((p) => ({
      contains_null: p.containsNull,
      contains_nan: p.containsNan,
      lower_bound: toBuffer(p.lowerBound),
      upper_bound: toBuffer(p.upperBound),
    })),
    key_metadata: null,
  };
}

function fromAvro(a: AvroManifestFile): ManifestFile {
  if (a.content !== 0) throw new Error(`delete manifests are not supported (${a.manifest_path})`);
  return {
    manifestPath: a.manifest_path,
    manifestLength: a.manifest_length,
    partitionSpecId: a.partition_spec_id,
    content: 0,
    sequenceNumber: Number(a.sequence_number),
    minSequenceNumber: Number(a.min_sequence_number),
    addedSnapshotId: a.added_snapshot_id,
    addedFilesCount: a.added_files_count,
    existingFilesCount: a.existing_files_count,
    deletedFilesCount: a.deleted_files_count,
    addedRowsCount: a.added_rows_count,
    existingRowsCount: a.existing_rows_count,
    deletedRowsCount: a.deleted_rows_count,
    partitions: (a.partitions ?? []).map(
      (p): PartitionFieldSummary => ({
        containsNull: p.contains_null,
        containsNan: p.contains_nan,
        lowerBound: fromBuffer(p.lower_bound),
        upperBound: fromBuffer(p.upper_bound),
      }),
    ),
  };
}

export interface ManifestListContext {
  readonly snapshotId: SnapshotId;
  readonly parentSnapshotId: SnapshotId | undefined;
  readonly sequenceNumber: number;
}

export async function writeManifestList(
  io: FileIO,
  location: string,
  manifests: readonly ManifestFile[],
  context: ManifestListContext,
): Promise<void> {
  const bytes = encodeAvroContainer(MANIFEST_LIST_SCHEMA, manifests.map(toAvro), {
    'snapshot-id': String(context.snapshotId),
    'parent-snapshot-id': context.parentSnapshotId === undefined ? 'null' : String(context.parentSnapshotId),
    'sequence-number': String(context.sequenceNumber),
    'format-version': '2',
  });
  await io.write(location, bytes);
}

export async function readManifestList(io: FileIO, location: string): Promise<ManifestFile[]> {
  return decodeAvroContainer<AvroManifestFile>(await io.read(location)).records.map(fromAvro);
}
