import { randomUUID } from 'node:crypto';
import { groupBy } from '../../common/group-by.js';
import { readManifest, writeManifest } from '../manifest/manifest-file.js';
import { liveFilesCount, ManifestEntryStatus, type ManifestEntry, type ManifestFile } from '../spec/manifest.js';
import { currentSchema, partitionSpecById } from '../spec/table-metadata.js';
import type { Table } from './table.js';
import { SnapshotTransaction, type AttemptContext, type RebasedManifests } from './snapshot-transaction.js';

/** Entries per rewritten manifest: about 2–4 MB of Avro with our column metrics. */
export const DEFAULT_ENTRIES_PER_MANIFEST = 10_000;

/**
 * Rewrites the parent's live manifests into as few as possible (one run per partition
 * spec, `entriesPerManifest` entries each), keeping every live entry as EXISTING with its
 * original snapshot id and sequence numbers. Data files do not change (a `replace`).
 * Re-done from scratch on every rebase, so files another writer added meanwhile are kept.
 */
export class RewriteManifestsTransaction extends SnapshotTransaction {
  protected readonly operation = 'replace';

  constructor(
    table: Table,
    private readonly entriesPerManifest = DEFAULT_ENTRIES_PER_MANIFEST,
  ) {
    super(table);
  }

  protected async rebase(parentManifests: readonly ManifestFile[], context: AttemptContext): Promise<RebasedManifests> {
    const bySpec = groupBy(parentManifests.filter((m) => liveFilesCount(m) > 0), (m) => m.partitionSpecId);
    const manifests: ManifestFile[] = [];
    const written: string[] = [];
    for (const [specId, group] of bySpec) {
      const entries = (await Promise.all(group.map((m) => readManifest(context.table.io, m))))
        .flat()
        .filter((e) => e.status !== ManifestEntryStatus.Deleted)
        .map((e): ManifestEntry => ({ ...e, status: ManifestEntryStatus.Existing }));
      for (let start = 0; start < entries.length; start += this.entriesPerManifest) {
        const location = `${context.base.location}/metadata/${randomUUID()}-m2.avro`;
        written.push(location);
        manifests.push(
          await writeManifest(context.table.io, location, entries.slice(start, start + this.entriesPerManifest), {
            schema: currentSchema(context.base),
            spec: partitionSpecById(context.base, specId),
            snapshotId: context.snapshotId,
            sequenceNumber: context.sequenceNumber,
          }),
        );
      }
    }
    return { manifests, deleted: [], written };
  }
}
