/**
 * One maintenance run over the graph tables, step by step per table: rewrite data files
 * (compaction + TTL), rewrite manifests, expire snapshots, remove orphan files. Each step
 * is its own commit (or none), so a run killed anywhere leaves a valid table and the
 * next run picks up what is left.
 */
import { NoSuchTableError, type Catalog } from '../lake/catalog/catalog.js';
import { liveFileStats } from '../lake/scan/inspect.js';
import { evolveSchema } from '../lake/table/evolve-schema.js';
import { Table } from '../lake/table/table.js';
import { NAMESPACE, TABLE_NAMES, TABLE_SCHEMAS, type TableName } from '../lake/tables.js';
import { expireTableSnapshots, type ExpiryResult } from './expire.js';
import { removeOrphanFiles, type OrphanResult } from './orphan-files.js';
import { rewriteDataFiles, type RewriteResult } from './rewrite-data-files.js';
import { RowMerger } from './row-merger.js';
import type { SnapshotRetention } from './snapshot-retention.js';

/** Maintenance covers every graph table. */
export const MAINTAINED_TABLES: readonly TableName[] = TABLE_NAMES;

export interface MaintenanceOptions {
  readonly targetFileBytes: number;
  readonly snapshotRetention: SnapshotRetention;
  readonly orphanOlderThanMs: number;
  /** Row TTL; none when undefined. */
  readonly ttlMs?: number;
  readonly dryRun: boolean;
  readonly tables?: readonly TableName[];
  readonly onProgress?: (progress: MaintenanceProgress) => void;
  /** Test-only: called at named points so crash tests can kill the process there. */
  readonly onPoint?: (point: MaintenancePoint) => void;
}

export type MaintenanceStep = 'rewrite' | 'manifests' | 'expire' | 'orphans';

export interface MaintenanceProgress {
  readonly table: TableName;
  readonly step: MaintenanceStep;
  /** Bins merged so far during the rewrite step. */
  readonly done?: number;
  readonly total?: number;
}

export type MaintenancePoint =
  | 'rewrite-files-written'
  | 'rewrite-committed'
  | 'manifests-committed'
  | 'expiry-committed'
  | 'orphan-deleted';

export interface TableMaintenanceResult {
  readonly table: TableName;
  readonly rewrite: RewriteResult;
  readonly manifestsBefore: number;
  readonly manifestsAfter: number;
  readonly expiry: ExpiryResult;
  readonly orphans: OrphanResult;
}

export interface MaintenanceResult {
  readonly dryRun: boolean;
  readonly tables: readonly TableMaintenanceResult[];
  readonly missingTables: readonly TableName[];
  readonly durationMs: number;
}

/** Manifests are rewritten once the current snapshot has more than this many live ones. */
const MANIFEST_REWRITE_THRESHOLD = 8;

export async function runMaintenance(catalog: Catalog, options: MaintenanceOptions): Promise<MaintenanceResult> {
  const started = performance.now();
  const nowMs = Date.now();
  const point = options.onPoint ?? (() => {});
  const results: TableMaintenanceResult[] = [];
  const missingTables: TableName[] = [];
  const merger = await RowMerger.open();
  try {
    for (const name of options.tables ?? MAINTAINED_TABLES) {
      let table: Table;
      try {
        table = await Table.load(catalog, { namespace: [NAMESPACE], name });
      } catch (error) {
        if (!(error instanceof NoSuchTableError)) throw error;
        missingTables.push(name);
        continue;
      }
      // Merged rows are written in the current schema, with every column lakegraph writes.
      if (!options.dryRun) await evolveSchema(table, TABLE_SCHEMAS[name]);
      const progress = (step: MaintenanceStep, done?: number, total?: number) => options.onProgress?.({ table: name, step, done, total });

      // Counted before the rewrite, whose replace already drops the manifests it empties.
      const manifestsBefore = (await liveFileStats(table.io, await table.refresh())).manifests;
      progress('rewrite');
      const rewrite = await rewriteDataFiles(table, name, merger, {
        targetFileBytes: options.targetFileBytes,
        ttlCutoffMicros: options.ttlMs === undefined ? undefined : BigInt(nowMs - options.ttlMs) * 1000n,
        dryRun: options.dryRun,
        onBinDone: (done, total) => progress('rewrite', done, total),
        onFilesWritten: () => point('rewrite-files-written'),
      });
      if (rewrite.filesWritten > 0 || rewrite.filesExpired > 0) point('rewrite-committed');

      progress('manifests');
      let manifestsAfter = (await liveFileStats(table.io, await table.refresh())).manifests;
      if (manifestsAfter > MANIFEST_REWRITE_THRESHOLD && !options.dryRun) {
        await table.newRewriteManifests().commit();
        manifestsAfter = (await liveFileStats(table.io, table.metadata)).manifests;
        point('manifests-committed');
      }

      progress('expire');
      const expiry = await expireTableSnapshots(table, {
        retention: options.snapshotRetention,
        nowMs,
        dryRun: options.dryRun,
        onCommitted: () => point('expiry-committed'),
      });

      progress('orphans');
      const orphans = await removeOrphanFiles(table, {
        olderThanMs: options.orphanOlderThanMs,
        nowMs,
        dryRun: options.dryRun,
        onFirstDeleted: () => point('orphan-deleted'),
      });
      results.push({ table: name, rewrite, manifestsBefore, manifestsAfter, expiry, orphans });
    }
  } finally {
    await merger.close();
  }
  return { dryRun: options.dryRun, tables: results, missingTables, durationMs: performance.now() - started };
}
