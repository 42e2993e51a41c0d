/**
 * Scan planning: snapshot → manifest list → manifests → live data files, pruning
 * manifests by their partition summaries and files by partition values and column bounds.
 */
import type { FileIO } from '../io/file-io.js';
import { readManifest } from '../manifest/manifest-file.js';
import { readManifestList } from '../manifest/manifest-list.js';
import type { DataFile } from '../spec/data-file.js';
import { liveFilesCount, ManifestEntryStatus } from '../spec/manifest.js';
import type { Snapshot, SnapshotId } from '../spec/snapshot.js';
import { currentSchema, currentSnapshot, partitionSpecById, snapshotById, type TableMetadata } from '../spec/table-metadata.js';
import { BoundFilter, type Filter } from './filter.js';
import type { ManifestCache } from './manifest-cache.js';

export interface ScanOptions {
  /** Defaults to the current snapshot of `main`. */
  readonly snapshotId?: SnapshotId;
  readonly filter?: Filter;
  /** For a reader that plans this table repeatedly: manifests parsed by earlier plans are reused. */
  readonly manifests?: ManifestCache;
}

export interface ScanPlan {
  /** undefined for a table without snapshots. */
  readonly snapshot: Snapshot | undefined;
  readonly files: readonly DataFile[];
}

export async function planFiles(io: FileIO, metadata: TableMetadata, options: ScanOptions = {}): Promise<ScanPlan> {
  const snapshot = options.snapshotId === undefined ? currentSnapshot(metadata) : snapshotById(metadata, options.snapshotId);
  if (!snapshot) return { snapshot, files: [] };
  const filters = new Map<number, BoundFilter>();
  const filterFor = (specId: number): BoundFilter => {
    let bound = filters.get(specId);
    if (!bound) {
      bound = new BoundFilter(options.filter ?? [], currentSchema(metadata), partitionSpecById(metadata, specId));
      filters.set(specId, bound);
    }
    return bound;
  };

  const listed = await readManifestList(io, snapshot['manifest-list']);
  options.manifests?.retainOnly(listed);
  const manifests = listed.filter((m) => liveFilesCount(m) > 0 && filterFor(m.partitionSpecId).mayMatchManifest(m.partitions));
  const entries = await Promise.all(manifests.map((m) => (options.manifests ? options.manifests.read(io, m) : readManifest(io, m))));
  const files = entries
    .flat()
    .filter((e) => e.status !== ManifestEntryStatus.Deleted && filterFor(e.dataFile.specId).mayMatchFile(e.dataFile))
    .map((e) => e.dataFile);
  return { snapshot, files };
}
