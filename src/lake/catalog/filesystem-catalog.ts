/**
 * The embedded catalog: Iceberg's Hadoop-catalog layout on a local directory
 * (`<warehouse>/<namespace>/<table>/metadata/v<N>.metadata.json` plus
 * `version-hint.text`). The atomic swap is a hard link of a fully written temp file to
 * `v<N+1>.metadata.json`: link(2) fails with EEXIST when another writer got there
 * first, so exactly one commit per version wins.
 */
import { randomUUID } from 'node:crypto';
import { access, link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TableMetadata } from '../spec/table-metadata.js';
import {
  CommitConflictError,
  NoSuchTableError,
  type Catalog,
  type CreateTableRequest,
  type TableCommit,
  type TableIdentifier,
} from './catalog.js';
import { LocalFileIO } from '../io/local-file-io.js';
import { applyTableUpdates, commitConflict, newTableMetadata } from './table-metadata-changes.js';

const VERSION_HINT = 'version-hint.text';
const METADATA_FILE = /^v(\d+)\.metadata\.json$/;

interface VersionedMetadata {
  readonly version: number;
  readonly file: string;
  readonly metadata: TableMetadata;
}

export class FilesystemCatalog implements Catalog {
  readonly io = new LocalFileIO();
  readonly warehouse: string;

  constructor(warehouse: string) {
    this.warehouse = resolve(warehouse);
  }

  tableLocation(id: TableIdentifier): string {
    return join(this.warehouse, ...id.namespace, id.name);
  }

  async loadTable(id: TableIdentifier): Promise<TableMetadata> {
    return (await this.loadCurrent(id)).metadata;
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<TableMetadata> {
    const existing = await this.findCurrent(id);
    if (existing) return existing.metadata;
    const metadata = newTableMetadata(this.tableLocation(id), request);
    await mkdir(this.metadataDir(id), { recursive: true });
    if (!(await this.publish(id, 1, metadata))) return this.loadTable(id); // another process created it
    return metadata;
  }

  async commitTable(id: TableIdentifier, commit: TableCommit): Promise<TableMetadata> {
    const current = await this.loadCurrent(id);
    const conflict = commitConflict(current.metadata, commit);
    if (conflict) throw new CommitConflictError(id, conflict);
    const next = applyTableUpdates(current.metadata, commit, {
      'timestamp-ms': current.metadata['last-updated-ms'],
      'metadata-file': current.file,
    });
    if (!(await this.publish(id, current.version + 1, next))) {
      throw new CommitConflictError(id, `version ${current.version + 1} was committed concurrently`);
    }
    return next;
  }

  private metadataDir(id: TableIdentifier): string {
    return join(this.tableLocation(id), 'metadata');
  }

  private metadataFile(id: TableIdentifier, version: number): string {
    return join(this.metadataDir(id), `v${version}.metadata.json`);
  }

  private async loadCurrent(id: TableIdentifier): Promise<VersionedMetadata> {
    const current = await this.findCurrent(id);
    if (!current) throw new NoSuchTableError(id);
    return current;
  }

  private async findCurrent(id: TableIdentifier): Promise<VersionedMetadata | undefined> {
    const version = await this.latestVersion(id);
    if (version === undefined) return undefined;
    const file = this.metadataFile(id, version);
    return { version, file, metadata: JSON.parse(await readFile(file, 'utf8')) as TableMetadata };
  }

  /** The hint, then probing upward: a writer may have died between its commit and the hint update. */
  private async latestVersion(id: TableIdentifier): Promise<number | undefined> {
    const hinted = (await this.readVersionHint(id)) ?? (await this.highestListedVersion(id));
    if (hinted === undefined) return undefined;
    return this.probeFrom(id, hinted);
  }

  private async probeFrom(id: TableIdentifier, version: number): Promise<number> {
    while (await exists(this.metadataFile(id, version + 1))) version++;
    return version;
  }

  private async readVersionHint(id: TableIdentifier): Promise<number | undefined> {
    try {
      const version = Number.parseInt(await readFile(join(this.metadataDir(id), VERSION_HINT), 'utf8'), 10);
      return Number.isSafeInteger(version) && version > 0 && (await exists(this.metadataFile(id, version))) ? version : undefined;
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  private async highestListedVersion(id: TableIdentifier): Promise<number | undefined> {
    let names: string[];
    try {
      names = await readdir(this.metadataDir(id));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
    const versions = names.map((n) => METADATA_FILE.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
    return versions.length > 0 ? Math.max(...versions) : undefined;
  }

  /** Creates `v<version>.metadata.json` if absent; false when another writer created it first. */
  private async publish(id: TableIdentifier, version: number, metadata: TableMetadata): Promise<boolean> {
    const target = this.metadataFile(id, version);
    const temp = join(this.metadataDir(id), `.v${version}.${randomUUID()}.tmp`);
    await writeFile(temp, JSON.stringify(metadata, null, 2));
    try {
      await link(temp, target);
    } catch (error) {
      if (isErrno(error, 'EEXIST')) return false;
      throw error;
    } finally {
      await unlink(temp);
    }
    await this.publishVersionHint(id, version);
    return true;
  }

  /**
   * Hint writes of racing committers may land out of order; re-checking for a newer
   * version after each write keeps the hint from settling on a stale version.
   */
  private async publishVersionHint(id: TableIdentifier, version: number): Promise<void> {
    const hint = join(this.metadataDir(id), VERSION_HINT);
    for (;;) {
      const temp = `${hint}.${randomUUID()}.tmp`;
      await writeFile(temp, String(version));
      await rename(temp, hint);
      const latest = await this.probeFrom(id, version);
      if (latest === version) return;
      version = latest;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
