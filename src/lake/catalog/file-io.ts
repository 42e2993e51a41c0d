/**
 * File access for table files (metadata, manifests, data). Locations are what metadata
 * records: absolute local paths, or `file:` URIs as a REST catalog may hand out.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FileIO {
  /** The local filesystem path a location names (writers such as Parquet need a path). */
  localPath(location: string): string;
  read(location: string): Promise<Uint8Array>;
  /** Writes a new file whole: readers never observe a partial file. Creates parent directories. */
  write(location: string, bytes: Uint8Array | string): Promise<void>;
  delete(location: string): Promise<void>;
}

export class LocalFileIO implements FileIO {
  localPath(location: string): string {
    if (location.startsWith('file:')) return fileURLToPath(normalizeFileUri(location));
    if (location.includes('://')) throw new Error(`LocalFileIO cannot open ${location}`);
    return location;
  }

  async read(location: string): Promise<Uint8Array> {
    return readFile(this.localPath(location));
  }

  async write(location: string, bytes: Uint8Array | string): Promise<void> {
    const path = this.localPath(location);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  }

  async delete(location: string): Promise<void> {
    await rm(this.localPath(location), { force: true });
  }
}

/** Java writes `file:/a/b` (one slash), which WHATWG URL parsing accepts only as `file:///a/b`. */
function normalizeFileUri(uri: string): string {
  return uri.replace(/^file:\/*(?=\/)/, 'file://');
}
