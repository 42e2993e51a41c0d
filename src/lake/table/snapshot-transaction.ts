/**
 * A transaction that produces one snapshot. It stages changes, then `commit()` builds
 * manifests, a manifest list and the snapshot on top of the current table state and
 * asks the catalog to swap it in. When another writer (lakegraph or another engine)
 * committed first, it reloads, rebases onto the new parent (recomputing totals and
 * carried properties) and retries with jittered exponential backoff.
 */
import { randomUUID } from 'node:crypto';
import { withRetries, type RetryOptions } from '../../common/backoff.js';
import { groupBy } from '../../common/group-by.js';
import { CommitConflictError, formatTableIdentifier, type TableCommit } from '../catalog/catalog.js';
import { writeManifest } from '../manifest/manifest-file.js';
import { readManifestList, writeManifestList } from '../manifest/manifest-list.js';
import { carriedProperties } from '../spec/carried-properties.js';
import type { DataFile } from '../spec/data-file.js';
import { ManifestEntryStatus, type ManifestFile } from '../spec/manifest.js';
import { MAIN_BRANCH, type Snapshot, type SnapshotId, type SnapshotOperation } from '../spec/snapshot.js';
import { currentSchema, currentSnapshot, partitionSpecById, type TableMetadata } from '../spec/table-metadata.js';
import { newSnapshotId } from './snapshot-id.js';
import { snapshotSummary, type PropertiesOfCarried } from './snapshot-summary.js';
import type { Table } from './table.js';

/** Commit conflicts pass once the other writer is done; everything else is not a conflict to wait out. */
export const COMMIT_CONFLICT_RETRIES: RetryOptions = {
  backoff: { baseMs: 10, maxMs: 1000 },
  maxAttempts: 60,
  retryable: (error) => error instanceof CommitConflictError,
};

export class CommitRetriesExhaustedError extends Error {
  override readonly name = 'CommitRetriesExhaustedError';
  constructor(table: string, attempts: number, cause: CommitConflictError) {
    super(`gave up committing to ${table} after ${attempts} conflicting attempts: ${cause.message}`, { cause });
  }
}

/** What a subclass makes of the parent's manifests: the ones to keep and the files it removed. */
export interface RebasedManifests {
  readonly manifests: readonly ManifestFile[];
  readonly deleted: readonly DataFile[];
  /** Manifests written for this attempt only (deleted again if the attempt conflicts). */
  readonly written: readonly string[];
}

export interface AttemptContext {
  readonly table: Table;
  readonly base: TableMetadata;
  readonly snapshotId: SnapshotId;
  readonly sequenceNumber: number;
}

export abstract class SnapshotTransaction {
  protected abstract readonly operation: SnapshotOperation;
  private readonly added: DataFile[] = [];
  private propertiesOf: PropertiesOfCarried = () => ({});
  private readonly snapshotId = newSnapshotId();
  /** The manifests of added files do not depend on the parent, so they are written once for all attempts. */
  private addedManifests: Promise<ManifestFile[]> | undefined;
  private committed = false;

  constructor(protected readonly table: Table) {}

  addFiles(files: readonly DataFile[]): this {
    this.assertOpen();
    this.added.push(...files);
    return this;
  }

  /** Sets the `lakegraph.*` summary properties as a function of those in effect at the parent, re-run on every rebase. */
  setProperties(propertiesOf: PropertiesOfCarried): this {
    this.assertOpen();
    this.propertiesOf = propertiesOf;
    return this;
  }

  /** Rewrites the parent's manifests as this operation requires. */
  protected abstract rebase(parentManifests: readonly ManifestFile[], context: AttemptContext): Promise<RebasedManifests>;

  async commit(retry: RetryOptions = COMMIT_CONFLICT_RETRIES): Promise<Snapshot> {
    this.assertOpen();
    let attempts = 0;
    try {
      const snapshot = await withRetries(async (attempt) => {
        attempts = attempt;
        const base = attempt === 1 ? this.table.metadata : await this.table.refresh();
        return this.attempt(base, attempt);
      }, retry);
      this.committed = true;
      return snapshot;
    } catch (error) {
      if (error instanceof CommitConflictError) throw new CommitRetriesExhaustedError(formatTableIdentifier(this.table.id), attempts, error);
      throw error;
    }
  }

  private async attempt(base: TableMetadata, attempt: number): Promise<Snapshot> {
    const { io } = this.table;
    const parent = currentSnapshot(base);
    const carried = carriedProperties(base, parent);
    const context: AttemptContext = {
      table: this.table,
      base,
      snapshotId: this.snapshotId,
      sequenceNumber: base['last-sequence-number'] + 1,
    };
    const parentManifests = parent ? await readManifestList(io, parent['manifest-list']) : [];
    const rebased = await this.rebase(parentManifests, context);
    const manifestList = `${base.location}/metadata/snap-${this.snapshotId}-${attempt}-${randomUUID()}.avro`;
    const written = [...rebased.written, manifestList];
    try {
      const manifests = [...(await this.addedManifestsFor(context)), ...rebased.manifests];
      await writeManifestList(io, manifestList, manifests, {
        snapshotId: this.snapshotId,
        parentSnapshotId: parent?.['snapshot-id'],
        sequenceNumber: context.sequenceNumber,
      });
      const snapshot: Snapshot = {
        'snapshot-id': this.snapshotId,
        ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
        'sequence-number': context.sequenceNumber,
        'timestamp-ms': Date.now(),
        'manifest-list': manifestList,
        summary: snapshotSummary({
          operation: this.operation,
          parent: parent?.summary,
          carried,
          added: this.added,
          deleted: rebased.deleted,
          properties: this.propertiesOf(carried),
        }),
        'schema-id': base['current-schema-id'],
      };
      const commit: TableCommit = {
        requirements: [
          { type: 'assert-table-uuid', uuid: base['table-uuid'] },
          { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, 'snapshot-id': parent?.['snapshot-id'] ?? null },
        ],
        updates: [
          { action: 'add-snapshot', snapshot },
          { action: 'set-snapshot-ref', 'ref-name': MAIN_BRANCH, type: 'branch', 'snapshot-id': this.snapshotId },
        ],
      };
      this.table.metadata = await this.table.catalog.commitTable(this.table.id, commit);
      return snapshot;
    } catch (error) {
      // Only a conflict proves the commit did not land; on any other error the files may be referenced.
      if (error instanceof CommitConflictError) await Promise.all(written.map((f) => io.delete(f)));
      throw error;
    }
  }

  /**
   * The added-files manifests, one per partition spec (a manifest lists files of one spec),
   * stamped with this attempt's sequence number (their entries inherit it). Files written
   * before the table's spec evolved keep their spec: its id still names it.
   */
  private async addedManifestsFor(context: AttemptContext): Promise<ManifestFile[]> {
    if (this.added.length === 0) return [];
    this.addedManifests ??= Promise.all(
      [...groupBy(this.added, (f) => f.specId)].map(([specId, files]) =>
        writeManifest(
          this.table.io,
          `${context.base.location}/metadata/${randomUUID()}-m0.avro`,
          files.map((dataFile) => ({
            status: ManifestEntryStatus.Added,
            snapshotId: this.snapshotId,
            sequenceNumber: null,
            fileSequenceNumber: null,
            dataFile,
          })),
          { schema: currentSchema(context.base), spec: partitionSpecById(context.base, specId), snapshotId: this.snapshotId, sequenceNumber: context.sequenceNumber },
        ),
      ),
    );
    return (await this.addedManifests).map((m) => ({ ...m, sequenceNumber: context.sequenceNumber, minSequenceNumber: context.sequenceNumber }));
  }

  protected assertOpen(): void {
    if (this.committed) throw new Error('transaction already committed; start a new one');
  }
}
