import { randomUUID } from 'node:crypto';
import { readManifest, writeManifest } from '../manifest/manifest-file.js';
import type { DataFile } from '../spec/data-file.js';
import { liveFilesCount, ManifestEntryStatus, type ManifestEntry, type ManifestFile } from '../spec/manifest.js';
import type { SnapshotOperation } from '../spec/snapshot.js';
import { currentSchema, partitionSpecById } from '../spec/table-metadata.js';
import { SnapshotTransaction, type AttemptContext, type RebasedManifests } from './snapshot-transaction.js';

/** A file the replace deletes is no longer live: another commit removed it first. */
export class ReplaceConflictError extends Error {
  override readonly name = 'ReplaceConflictError';
  constructor(readonly missingFiles: readonly string[]) {
    super(`cannot replace: ${missingFiles.length} file(s) to delete are no longer live, e.g. ${missingFiles[0]}`);
  }
}

/**
 * Swaps data files for others holding the same rows (compaction). Manifests that list a
 * deleted file are rewritten: the file becomes a DELETED entry, the rest EXISTING.
 */
export class ReplaceTransaction extends SnapshotTransaction {
  protected readonly operation: SnapshotOperation = 'replace';
  private readonly toDelete = new Set<string>();

  deleteFiles(files: readonly Pick<DataFile, 'filePath'>[]): this {
    this.assertOpen();
    for (const file of files) this.toDelete.add(file.filePath);
    return this;
  }

  protected async rebase(parentManifests: readonly ManifestFile[], context: AttemptContext): Promise<RebasedManifests> {
    const live = parentManifests.filter((m) => liveFilesCount(m) > 0);
    const liveEntries = await Promise.all(
      live.map(async (m) => (await readManifest(context.table.io, m)).filter((e) => e.status !== ManifestEntryStatus.Deleted)),
    );
    // Validate before writing anything, so a conflicting replace leaves no files behind.
    const found = new Set(liveEntries.flat().map((e) => e.dataFile.filePath).filter((path) => this.toDelete.has(path)));
    if (found.size < this.toDelete.size) throw new ReplaceConflictError([...this.toDelete].filter((path) => !found.has(path)));

    const manifests: ManifestFile[] = [];
    const deleted: DataFile[] = [];
    const written: string[] = [];
    for (const [i, manifest] of live.entries()) {
      const entries = liveEntries[i];
      if (!entries.some((e) => this.toDelete.has(e.dataFile.filePath))) {
        manifests.push(manifest);
        continue;
      }
      const rewritten = entries.map((entry): ManifestEntry => {
        if (!this.toDelete.has(entry.dataFile.filePath)) return { ...entry, status: ManifestEntryStatus.Existing };
        deleted.push(entry.dataFile);
        return { ...entry, status: ManifestEntryStatus.Deleted, snapshotId: context.snapshotId };
      });
      const location = `${context.base.location}/metadata/${randomUUID()}-m1.avro`;
      written.push(location);
      manifests.push(
        await writeManifest(context.table.io, location, rewritten, {
          schema: currentSchema(context.base),
          spec: partitionSpecById(context.base, manifest.partitionSpecId),
          snapshotId: context.snapshotId,
          sequenceNumber: context.sequenceNumber,
        }),
      );
    }
    return { manifests, deleted, written };
  }
}
