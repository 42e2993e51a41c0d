/**
 * FileIO over this host's filesystem: absolute paths, or `file:` URIs as Java writers
 * (the REST catalog server, Spark) record them.
 */
import { randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileNotFoundError, type FileIO, type FileStat, type FileWriter } from './file-io.js';

export class LocalFileIO implements FileIO {
  async read(location: string): Promise<Uint8Array> {
    return readFile(localPath(location)).catch(notFoundAs(location));
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    const file = await open(localPath(location), 'r').catch(notFoundAs(location));
    try {
      const bytes = new Uint8Array(length);
      const { bytesRead } = await file.read(bytes, 0, length, offset);
      return bytes.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  async stat(location: string): Promise<FileStat | undefined> {
    try {
      const s = await stat(localPath(location));
      return { location, size: s.size, lastModifiedMs: s.mtimeMs };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async write(location: string, bytes: Uint8Array | string): Promise<void> {
    const temp = await writeTemp(localPath(location), bytes);
    await rename(temp, localPath(location));
  }

  /** link(2) of a fully written temp file fails with EEXIST when another writer got there first. */
  async createIfAbsent(location: string, bytes: Uint8Array | string): Promise<boolean> {
    const path = localPath(location);
    const temp = await writeTemp(path, bytes);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp);
    }
  }

  async openWriter(location: string): Promise<FileWriter> {
    const path = localPath(location);
    await mkdir(dirname(path), { recursive: true });
    const temp = tempPathFor(path);
    const file: FileHandle = await open(temp, 'w');
    return {
      write: async (chunk) => {
        await file.write(chunk);
      },
      close: async () => {
        await file.close();
        await rename(temp, path);
      },
      abort: async () => {
        await file.close().catch(() => {});
        await rm(temp, { force: true });
      },
    };
  }

  async delete(location: string): Promise<void> {
    await rm(localPath(location), { force: true });
  }

  async *list(prefix: string): AsyncIterable<FileStat> {
    const asUri = prefix.startsWith('file:');
    const base = localPath(prefix);
    // A prefix that ends in a separator is a directory; otherwise list its directory and filter.
    const dir = base.endsWith('/') ? base : dirname(base);
    let names: string[];
    try {
      names = (await readdir(dir, { recursive: true })) as string[];
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      if (!path.startsWith(base)) continue;
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) continue;
      yield { location: asUri ? pathToFileURL(path).href : path, size: s.size, lastModifiedMs: s.mtimeMs };
    }
  }
}

/** The local path a location names; refuses other schemes. */
export function localPath(location: string): string {
  if (location.startsWith('file:')) {
    const path = fileURLToPath(normalizeFileUri(location));
    return location.endsWith('/') && !path.endsWith('/') ? `${path}/` : path;
  }
  if (location.includes('://')) throw new Error(`LocalFileIO cannot open ${location}`);
  return location;
}

/** Java writes `file:/a/b` (one slash), which WHATWG URL parsing accepts only as `file:///a/b`. */
function normalizeFileUri(uri: string): string {
  return uri.replace(/^file:\/*(?=\/)/, 'file://');
}

/** A unique name beside `path` for a file written before it is renamed into place. */
export function tempPathFor(path: string): string {
  return `${path}.${randomUUID()}.tmp`;
}

async function writeTemp(path: string, bytes: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  await writeFile(temp, bytes);
  return temp;
}

function notFoundAs(location: string): (error: unknown) => never {
  return (error) => {
    throw isNotFound(error) ? new FileNotFoundError(location, { cause: error }) : error;
  };
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
