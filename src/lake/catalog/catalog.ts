/**
 * The contract every catalog (filesystem, REST) implements. Commit requests use the
 * Iceberg REST spec's TableRequirement / TableUpdate shapes so the REST catalog sends
 * them as they are, and the filesystem catalog checks and applies the same ones locally.
 */
import type { PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import type { Snapshot, SnapshotId } from '../spec/snapshot.js';
import type { SortOrder } from '../spec/sort-order.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import type { FileIO } from '../io/file-io.js';

export interface TableIdentifier {
  readonly namespace: readonly string[];
  readonly name: string;
}

export function formatTableIdentifier(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

export interface CreateTableRequest {
  readonly schema: Schema;
  readonly partitionSpec: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly properties?: Readonly<Record<string, string>>;
}

/** REST spec TableRequirement, the subset lakegraph's commits assert. */
export type TableRequirement =
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  /** `snapshot-id: null` asserts the ref does not exist yet (first commit). */
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly 'snapshot-id': SnapshotId | null }
  /** Partition spec evolution: the spec it replaces is still the default, and no field id it assigns was taken meanwhile. */
  | { readonly type: 'assert-default-spec-id'; readonly 'default-spec-id': number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly 'last-assigned-partition-id': number }
  /** Schema changes: the schema the change was made against, and the field ids it assigned from. */
  | { readonly type: 'assert-current-schema-id'; readonly 'current-schema-id': number }
  | { readonly type: 'assert-last-assigned-field-id'; readonly 'last-assigned-field-id': number };

/** REST spec TableUpdate, the subset lakegraph's commits produce. */
export type TableUpdate =
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | {
      readonly action: 'set-snapshot-ref';
      readonly 'ref-name': string;
      readonly type: 'branch' | 'tag';
      readonly 'snapshot-id': SnapshotId;
    }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  /** Partition spec evolution; the catalog keeps an identical spec's id, else assigns the next one. */
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  /** `spec-id: -1` names the spec the same commit added (the REST spec's "last added"). */
  | { readonly action: 'set-default-spec'; readonly 'spec-id': number }
  /** `last-column-id`: the highest field id assigned so far, new ones included (older REST servers need it). */
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly 'last-column-id': number }
  /** `schema-id: -1` selects the schema added in the same commit (the server may renumber it). */
  | { readonly action: 'set-current-schema'; readonly 'schema-id': number }
  /** Snapshot expiry: drops snapshots from the metadata (their files are deleted by the caller). */
  | { readonly action: 'remove-snapshots'; readonly 'snapshot-ids': SnapshotId[] };

/**
 * A REST CommitTableRequest without the identifier. Every catalog applies `updates` to
 * the table's current metadata itself (the REST server does; the filesystem catalog
 * does it locally), so a commit never overwrites changes it did not make.
 */
export interface TableCommit {
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly TableUpdate[];
}

export interface Catalog {
  /** Where manifests, manifest lists and data files of this catalog's tables are written. */
  readonly io: FileIO;
  /** @throws NoSuchTableError */
  loadTable(id: TableIdentifier): Promise<TableMetadata>;
  /** Idempotent: returns the existing table's metadata when it already exists (its schema wins). */
  createTable(id: TableIdentifier, request: CreateTableRequest): Promise<TableMetadata>;
  /**
   * Atomically swaps the table's metadata if every requirement still holds.
   * @returns the committed metadata.
   * @throws CommitConflictError when a requirement fails (the base is stale); nothing changed.
   * @throws NoSuchTableError
   */
  commitTable(id: TableIdentifier, commit: TableCommit): Promise<TableMetadata>;
}

export class NoSuchTableError extends Error {
  override readonly name = 'NoSuchTableError';
  constructor(readonly table: TableIdentifier) {
    super(`table ${formatTableIdentifier(table)} does not exist`);
  }
}

/** The table changed since the commit's base; reload, rebase and retry. */
export class CommitConflictError extends Error {
  override readonly name = 'CommitConflictError';
  constructor(
    readonly table: TableIdentifier,
    detail: string,
  ) {
    super(`commit to ${formatTableIdentifier(table)} conflicted: ${detail}`);
  }
}
