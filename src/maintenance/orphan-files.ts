/**
 * Orphan cleanup for one table: files under the table's location that no snapshot in
 * the metadata references — left by crashed writers, conflicted attempts or interrupted
 * expiry. Only files older than a safety age go, since a running writer's files are
 * unreferenced until its commit lands. The directory is listed before the metadata is
 * loaded, so a file committed in between is seen as referenced. Table metadata files
 * (`*.metadata.json`, the version hint) are the catalog's and never touched.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { reachableFiles } from '../lake/scan/reachable-files.js';
import type { Table } from '../lake/table/table.js';
import { localPath } from '../lake/io/local-file-io.js';

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

interface ListedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const CATALOG_FILE = /(\.metadata\.json|version-hint\.text)$/;

async function listFiles(dir: string): Promise<ListedFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: ListedFile[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) {
      const stats = await stat(path).catch(() => undefined); // deleted since the listing
      if (stats) files.push({ path, size: stats.size, mtimeMs: stats.mtimeMs });
    }
  }
  return files;
}

export async function removeOrphanFiles(table: Table, options: OrphanOptions): Promise<OrphanResult> {
  const location = localPath(table.metadata.location);
  const listed = (await Promise.all(['data', 'metadata'].map((dir) => listFiles(join(location, dir))))).flat();
  const metadata = await table.refresh();
  const referenced = await reachableFiles(table.io, metadata.snapshots);
  const cutoff = options.nowMs - options.olderThanMs;
  const orphans = listed.filter(
    (f) => f.mtimeMs < cutoff && !CATALOG_FILE.test(f.path) && !referenced.dataFiles.has(f.path) && !referenced.metadata.has(f.path),
  );
  const bytes = orphans.reduce((n, f) => n + BigInt(f.size), 0n);
  if (!options.dryRun) {
    for (const [i, orphan] of orphans.entries()) {
      await table.io.delete(orphan.path);
      if (i === 0) options.onFirstDeleted?.();
    }
  }
  return { orphans: orphans.length, bytes };
}
