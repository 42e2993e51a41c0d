/**
 * Every file a set of snapshots needs: their manifest lists, the manifests those list and
 * the live data files in them. What snapshot expiry may delete and orphan cleanup must
 * keep. Locations are returned canonical (location.ts), so they compare with a listing.
 */
import type { FileIO } from '../io/file-io.js';
import { readManifest } from '../manifest/manifest-file.js';
import { readManifestList } from '../manifest/manifest-list.js';
import { ManifestEntryStatus } from '../spec/manifest.js';
import type { Snapshot } from '../spec/snapshot.js';
import { canonicalLocation } from '../io/location.js';

export interface ReachableFiles {
  readonly metadata: Set<string>;
  readonly dataFiles: Set<string>;
}

export async function reachableFiles(io: FileIO, snapshots: readonly Snapshot[]): Promise<ReachableFiles> {
  const metadata = new Set<string>();
  const dataFiles = new Set<string>();
  // Consecutive snapshots share most manifests; each is read once.
  for (const snapshot of snapshots) {
    metadata.add(canonicalLocation(snapshot['manifest-list']));
    for (const manifest of await readManifestList(io, snapshot['manifest-list'])) {
      const path = canonicalLocation(manifest.manifestPath);
      if (metadata.has(path)) continue;
      metadata.add(path);
      for (const entry of await readManifest(io, manifest)) {
        if (entry.status !== ManifestEntryStatus.Deleted) dataFiles.add(canonicalLocation(entry.dataFile.filePath));
      }
    }
  }
  return { metadata, dataFiles };
}
