/** Manifest entries and manifest-list entries (spec: "Manifests", "Manifest Lists"). */
import type { DataFile } from './data-file.js';
import type { SnapshotId } from './snapshot.js';

export const ManifestEntryStatus = { Existing: 0, Added: 1, Deleted: 2 } as const;
export type ManifestEntryStatus = (typeof ManifestEntryStatus)[keyof typeof ManifestEntryStatus];

export interface ManifestEntry {
  readonly status: ManifestEntryStatus;
  /** null: inherited from the manifest's `addedSnapshotId` (entries of a newly written manifest). */
  readonly snapshotId: SnapshotId | null;
  /** Data sequence number; null: inherited from the manifest's `sequenceNumber`. */
  readonly sequenceNumber: number | null;
  readonly fileSequenceNumber: number | null;
  readonly dataFile: DataFile;
}

/** An entry after inheritance: what a reader acts on. */
export interface ResolvedManifestEntry extends ManifestEntry {
  readonly snapshotId: SnapshotId;
  readonly sequenceNumber: number;
  readonly fileSequenceNumber: number;
}

/** Per partition field, over all entries of a manifest; bounds in single-value serialization. */
export interface PartitionFieldSummary {
  readonly containsNull: boolean;
  readonly containsNan: boolean | null;
  readonly lowerBound: Uint8Array | null;
  readonly upperBound: Uint8Array | null;
}

export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: bigint;
  readonly partitionSpecId: number;
  /** 0 = data manifest. */
  readonly content: 0;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: SnapshotId;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: bigint;
  readonly existingRowsCount: bigint;
  readonly deletedRowsCount: bigint;
  readonly partitions: readonly PartitionFieldSummary[];
}

export function liveFilesCount(manifest: ManifestFile): number {
  return manifest.addedFilesCount + manifest.existingFilesCount;
}
