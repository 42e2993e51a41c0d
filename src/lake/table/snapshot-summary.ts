/**
 * Snapshot summaries (spec: "Snapshot Summary", Java's standard keys): this commit's
 * added/deleted figures, table totals rolled forward from the parent, and lakegraph's
 * carried properties.
 */
import type { CarriedProperties } from '../spec/carried-properties.js';
import type { DataFile } from '../spec/data-file.js';
import { CARRIED_PROPERTY_PREFIX, type SnapshotOperation, type SnapshotSummary } from '../spec/snapshot.js';

/**
 * Computes the transaction's own `lakegraph.*` properties from those in effect at the
 * parent (spec/carried-properties.ts: the parent's, or its nearest ancestor's when another
 * engine committed the parent).
 */
export type PropertiesOfCarried = (carried: CarriedProperties) => Readonly<Record<string, string>>;

const TOTALS = ['total-records', 'total-data-files', 'total-files-size'] as const;

export interface SummaryInput {
  readonly operation: SnapshotOperation;
  readonly parent: SnapshotSummary | undefined;
  /** The `lakegraph.*` properties in effect at the parent, copied forward. */
  readonly carried: CarriedProperties;
  readonly added: readonly DataFile[];
  readonly deleted: readonly DataFile[];
  readonly properties: Readonly<Record<string, string>>;
}

function sum(files: readonly DataFile[], of: (f: DataFile) => bigint): bigint {
  return files.reduce((total, f) => total + of(f), 0n);
}

function partitionKey(file: DataFile): string {
  return `${file.specId}/${file.partition.map(String).join('/')}`;
}

export function snapshotSummary({ operation, parent, carried, added, deleted, properties }: SummaryInput): SnapshotSummary {
  for (const key of Object.keys(properties)) {
    if (!key.startsWith(CARRIED_PROPERTY_PREFIX)) {
      throw new Error(`snapshot property "${key}" must start with "${CARRIED_PROPERTY_PREFIX}" to be carried forward`);
    }
  }
  const addedRecords = sum(added, (f) => f.recordCount);
  const deletedRecords = sum(deleted, (f) => f.recordCount);
  const addedSize = sum(added, (f) => f.fileSizeInBytes);
  const removedSize = sum(deleted, (f) => f.fileSizeInBytes);
  const deltas: Record<(typeof TOTALS)[number], bigint> = {
    'total-records': addedRecords - deletedRecords,
    'total-data-files': BigInt(added.length - deleted.length),
    'total-files-size': addedSize - removedSize,
  };

  const summary: Record<string, string> = {
    ...carried,
    ...properties,
    operation,
    'added-data-files': String(added.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedSize),
    'deleted-data-files': String(deleted.length),
    'deleted-records': String(deletedRecords),
    'removed-files-size': String(removedSize),
    'changed-partition-count': String(new Set([...added, ...deleted].map(partitionKey)).size),
  };
  // Totals roll forward only from a parent that has them (a foreign writer may omit them).
  const parentHasTotals = parent === undefined || TOTALS.every((key) => parent[key] !== undefined);
  if (parentHasTotals) {
    for (const key of TOTALS) summary[key] = String(BigInt(parent?.[key] ?? '0') + deltas[key]);
    summary['total-delete-files'] = '0';
    summary['total-position-deletes'] = '0';
    summary['total-equality-deletes'] = '0';
  }
  return summary as SnapshotSummary;
}
