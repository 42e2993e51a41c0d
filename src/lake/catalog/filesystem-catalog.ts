/**
 * The embedded catalog: Iceberg's Hadoop-catalog layout
 * (`<warehouse>/<namespace>/<table>/metadata/v<N>.metadata.json` plus
 * `version-hint.text`) on any FileIO whose atomic create holds across writers: a local
 * directory (link(2) of a written temp file), or an object store that honours
 * conditional PUTs. Exactly one commit per version wins the create of `v<N+1>`.
 */
import { resolve } from 'node:path';
import { stringifyJson } from '../../common/lossless-json.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { parseTableMetadataFile } from '../spec/table-metadata-json.js';
import {
  CommitConflictError,
  NoSuchTableError,
  type Catalog,
  type CreateTableRequest,
  type TableCommit,
  type TableIdentifier,
} from './catalog.js';
import { FileNotFoundError, type FileIO } from '../io/file-io.js';
import { LocalFileIO } from '../io/local-file-io.js';
import { isLocalLocation, joinLocation } from '../io/location.js';
import { recallExpiredAncestry } from './recall-expired-ancestry.js';
import { applyTableUpdates, commitConflict, newTableMetadata } from './table-metadata-changes.js';

const VERSION_HINT = 'version-hint.text';
const METADATA_FILE = /\/v(\d+)\.metadata\.json$/;

interface VersionedMetadata {
  readonly version: number;
  readonly file: string;
  readonly metadata: TableMetadata;
}

export class FilesystemCatalog implements Catalog {
  readonly warehouse: string;

  /** `io` must reach `warehouse`; a local directory by default. */
  constructor(
    warehouse: string,
    readonly io: FileIO = new LocalFileIO(),
  ) {
    this.warehouse = isLocalLocation(warehouse) && !warehouse.startsWith('file:') ? resolve(warehouse) : warehouse.replace(/\/+$/, '');
  }

  tableLocation(id: TableIdentifier): string {
    return joinLocation(this.warehouse, ...id.namespace, id.name);
  }

  async loadTable(id: TableIdentifier): Promise<TableMetadata> {
    return recallExpiredAncestry(this.io, (await this.loadCurrent(id)).metadata);
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<TableMetadata> {
    const existing = await this.findCurrent(id);
    if (existing) return recallExpiredAncestry(this.io, existing.metadata);
    const metadata = newTableMetadata(this.tableLocation(id), request);
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
    return joinLocation(this.tableLocation(id), 'metadata');
  }

  private metadataFile(id: TableIdentifier, version: number): string {
    return joinLocation(this.metadataDir(id), `v${version}.metadata.json`);
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
    // No recall here (recall-expired-ancestry.ts): a commit only checks requirements, and its
    // answer's current snapshot is the committer's own or one it loaded before.
    return { version, file, metadata: parseTableMetadataFile(await this.io.read(file)) };
  }

  /** The hint, then probing upward: a writer may have died between its commit and the hint update. */
  private async latestVersion(id: TableIdentifier): Promise<number | undefined> {
    const hinted = (await this.readVersionHint(id)) ?? (await this.highestListedVersion(id));
    if (hinted === undefined) return undefined;
    return this.probeFrom(id, hinted);
  }

  private async probeFrom(id: TableIdentifier, version: number): Promise<number> {
    while (await this.exists(this.metadataFile(id, version + 1))) version++;
    return version;
  }

  private async readVersionHint(id: TableIdentifier): Promise<number | undefined> {
    let text: string;
    try {
      text = new TextDecoder().decode(await this.io.read(joinLocation(this.metadataDir(id), VERSION_HINT)));
    } catch (error) {
      if (error instanceof FileNotFoundError) return undefined;
      throw error;
    }
    const version = Number.parseInt(text, 10);
    return Number.isSafeInteger(version) && version > 0 && (await this.exists(this.metadataFile(id, version))) ? version : undefined;
  }

  private async highestListedVersion(id: TableIdentifier): Promise<number | undefined> {
    let highest: number | undefined;
    for await (const file of this.io.list(`${this.metadataDir(id)}/`)) {
      const m = METADATA_FILE.exec(file.location);
      if (m) highest = Math.max(highest ?? 0, Number(m[1]));
    }
    return highest;
  }

  /** Creates `v<version>.metadata.json` if absent; false when another writer created it first. */
  private async publish(id: TableIdentifier, version: number, metadata: TableMetadata): Promise<boolean> {
    if (!(await this.io.createIfAbsent(this.metadataFile(id, version), stringifyJson(metadata, 2)))) return false;
    await this.publishVersionHint(id, version);
    return true;
  }

  /**
   * Hint writes of racing committers may land out of order; re-checking for a newer
   * version after each write keeps the hint from settling on a stale version.
   */
  private async publishVersionHint(id: TableIdentifier, version: number): Promise<void> {
    const hint = joinLocation(this.metadataDir(id), VERSION_HINT);
    for (;;) {
      await this.io.write(hint, String(version));
      const latest = await this.probeFrom(id, version);
      if (latest === version) return;
      version = latest;
    }
  }

  private async exists(location: string): Promise<boolean> {
    return (await this.io.stat(location)) !== undefined;
  }
}
