/**
 * Orphan cleanup for one table: files under the table's location that no snapshot in
 * the metadata references — left by crashed writers, conflicted attempts or interrupted
 * expiry. Only files older than a safety age go, since a running writer's files are
 * unreferenced until its commit lands. The directory is listed before the metadata is
 * loaded, so a file committed in between is seen as referenced. Table metadata files
 * (`*.metadata.json`, the version hint) are the catalog's and never touched.
 */
import { canonicalLocation, joinLocation } from '../lake/io/location.js';
import type { FileStat } from '../lake/io/file-io.js';
import { reachableFiles } from '../lake/scan/reachable-files.js';
import type { Table } from '../lake/table/table.js';

export interface OrphanResult {
  readonly orphans: number;
  readonly bytes: bigint;
}

export interface OrphanOptions {
  readonly olderThanMs: number;
  readonly nowMs: number;
  readonly dryRun: boolean;
  /** Test hook: reached after the first orphan is deleted. */
  readonly onFirstDeleted?: () => void;
}

const CATALOG_FILE = /(\.metadata\.json|version-hint\.text)$/;

async function listFiles(table: Table, dir: string): Promise<FileStat[]> {
  const files: FileStat[] = [];
  for await (const file of table.io.list(`${joinLocation(table.metadata.location, dir)}/`)) files.push(file);
  return files;
}

export async function removeOrphanFiles(table: Table, options: OrphanOptions): Promise<OrphanResult> {
  const listed = (await Promise.all(['data', 'metadata'].map((dir) => listFiles(table, dir)))).flat();
  const metadata = await table.refresh();
  const referenced = await reachableFiles(table.io, metadata.snapshots);
  const cutoff = options.nowMs - options.olderThanMs;
  const orphans = listed.filter((f) => {
    const location = canonicalLocation(f.location);
    return f.lastModifiedMs < cutoff && !CATALOG_FILE.test(location) && !referenced.dataFiles.has(location) && !referenced.metadata.has(location);
  });
  const bytes = orphans.reduce((n, f) => n + BigInt(f.size), 0n);
  if (!options.dryRun) {
    for (const [i, orphan] of orphans.entries()) {
      await table.io.delete(orphan.location);
      if (i === 0) options.onFirstDeleted?.();
    }
  }
  return { orphans: orphans.length, bytes };
}
