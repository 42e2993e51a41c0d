/**
 * Manifests never change once written, so a reader that plans the same table again and
 * again (the query service, at every new snapshot) parses each one once: a new snapshot
 * costs its new manifests only.
 */
import type { FileIO } from '../io/file-io.js';
import { readManifest } from '../manifest/manifest-file.js';
import type { ManifestFile, ResolvedManifestEntry } from '../spec/manifest.js';

export class ManifestCache {
  private entries = new Map<string, Promise<ResolvedManifestEntry[]>>();

  read(io: FileIO, manifest: ManifestFile): Promise<ResolvedManifestEntry[]> {
    let entries = this.entries.get(manifest.manifestPath);
    if (entries === undefined) {
      entries = readManifest(io, manifest);
      // A failed read is retried by the next plan rather than remembered.
      entries.catch(() => this.entries.delete(manifest.manifestPath));
      this.entries.set(manifest.manifestPath, entries);
    }
    return entries;
  }

  /** Forgets every manifest but these: the ones of the snapshot planned last. */
  retainOnly(manifests: readonly ManifestFile[]): void {
    const kept = new Map<string, Promise<ResolvedManifestEntry[]>>();
    for (const m of manifests) {
      const entries = this.entries.get(m.manifestPath);
      if (entries !== undefined) kept.set(m.manifestPath, entries);
    }
    this.entries = kept;
  }
}
