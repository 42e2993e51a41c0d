import type { ManifestFile } from '../spec/manifest.js';
import { liveFilesCount } from '../spec/manifest.js';
import { SnapshotTransaction, type RebasedManifests } from './snapshot-transaction.js';

/** Adds data files; the parent's manifests are kept as they are. */
export class AppendTransaction extends SnapshotTransaction {
  protected readonly operation = 'append';

  protected async rebase(parentManifests: readonly ManifestFile[]): Promise<RebasedManifests> {
    // A manifest without live files only recorded deletions of its own snapshot.
    return { manifests: parentManifests.filter((m) => liveFilesCount(m) > 0), deleted: [], written: [] };
  }
}
