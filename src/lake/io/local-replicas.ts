/**
 * Local copies of immutable table files, for readers that take only local paths (DuckDB's
 * `read_parquet` without httpfs). A data file never changes once written (Iceberg), so a
 * copy is valid for as long as it exists; copies are kept on disk between runs and shared
 * by the processes of one host. Local locations are read where they are, never copied.
 *
 * The cache is bounded: beyond `maxBytes`, the least recently used copies go — but never
 * one used within `keepRecentMs`, since another process (or this one's views) may be
 * reading it. A cache too small for what is in use therefore runs over its bound, and
 * says so once, rather than pulling files from under running queries.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError } from '../../common/setting-error.js';
import type { FileIO } from './file-io.js';
import { isNotFound, localPath, tempPathFor } from './local-file-io.js';
import { canonicalLocation, isLocalLocation } from './location.js';

export interface LocalReplicasOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly keepRecentMs?: number;
  /** Downloads in flight at once. */
  readonly concurrency?: number;
  readonly warn?: (message: string) => void;
}

const DEFAULT_KEEP_RECENT_MS = 10 * 60_000;
const DEFAULT_CONCURRENCY = 4;
const MIB = 2 ** 20;

export class LocalReplicas {
  private readonly pending = new Map<string, Promise<string>>();
  private warnedOverBound = false;
  private ready: Promise<unknown> | undefined;
  /** Bytes copied since the last eviction pass. */
  private copiedBytes = 0;

  constructor(
    private readonly io: FileIO,
    readonly options: LocalReplicasOptions,
  ) {}

  /** A local path holding each location's bytes, in the same order. */
  async pathsOf(locations: readonly string[]): Promise<string[]> {
    const paths: string[] = new Array(locations.length);
    const remote: number[] = [];
    locations.forEach((location, i) => (isLocalLocation(location) ? (paths[i] = localPath(location)) : remote.push(i)));
    if (remote.length === 0) return paths;
    this.ready ??= mkdir(this.options.dir, { recursive: true });
    await this.ready;
    let next = 0;
    const worker = async () => {
      while (next < remote.length) {
        const i = remote[next++]!;
        paths[i] = await this.pathOf(locations[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, remote.length) }, worker));
    if (this.copiedBytes > 0) await this.evict();
    return paths;
  }

  private pathOf(location: string): Promise<string> {
    const path = join(this.options.dir, `${createHash('sha256').update(canonicalLocation(location)).digest('hex').slice(0, 40)}.parquet`);
    let copy = this.pending.get(path);
    if (!copy) {
      copy = this.copy(location, path).finally(() => this.pending.delete(path));
      this.pending.set(path, copy);
    }
    return copy;
  }

  private async copy(location: string, path: string): Promise<string> {
    const now = new Date();
    try {
      // Marks the copy as used, for eviction by age of last use across processes.
      await utimes(path, now, now);
      return path;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const bytes = await this.io.read(location);
    const temp = tempPathFor(path);
    await writeFile(temp, bytes);
    await rename(temp, path);
    this.copiedBytes += bytes.byteLength;
    return path;
  }

  private async evict(): Promise<void> {
    this.copiedBytes = 0;
    const copies = [];
    for (const name of await readdir(this.options.dir)) {
      if (!name.endsWith('.parquet')) continue;
      const s = await stat(join(this.options.dir, name)).catch(() => undefined);
      if (s) copies.push({ path: join(this.options.dir, name), size: s.size, usedMs: s.mtimeMs });
    }
    let total = copies.reduce((sum, c) => sum + c.size, 0);
    const keepAfter = Date.now() - (this.options.keepRecentMs ?? DEFAULT_KEEP_RECENT_MS);
    for (const copy of copies.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= this.options.maxBytes || copy.usedMs >= keepAfter) break;
      await rm(copy.path, { force: true });
      total -= copy.size;
    }
    if (total > this.options.maxBytes && !this.warnedOverBound) {
      this.warnedOverBound = true;
      this.options.warn?.(
        `the local file cache ${this.options.dir} holds ${Math.round(total / MIB)} MiB in use, over its ${Math.round(this.options.maxBytes / MIB)} MiB bound; raise LAKEGRAPH_CACHE_MB`,
      );
    }
  }
}

const replicasByIO = new WeakMap<FileIO, LocalReplicas>();

/**
 * The host's cache for `io`: directory `LAKEGRAPH_CACHE_DIR` (default `lakegraph-cache`
 * in the OS temp directory), bound `LAKEGRAPH_CACHE_MB` (default 4096).
 */
function cacheMegabytes(text: string | undefined): number {
  if (text === undefined || text === '') return 4096;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb <= 0) throw new SettingError(`LAKEGRAPH_CACHE_MB: "${text}" is not a positive number of MiB; unset it for the default 4096`);
  return mb;
}

export function localReplicasOf(io: FileIO): LocalReplicas {
  let replicas = replicasByIO.get(io);
  if (!replicas) {
    replicas = new LocalReplicas(io, {
      dir: process.env['LAKEGRAPH_CACHE_DIR'] || join(tmpdir(), 'lakegraph-cache'),
      maxBytes: cacheMegabytes(process.env['LAKEGRAPH_CACHE_MB']) * MIB,
      warn: (message) => process.stderr.write(`lakegraph: ${message}\n`),
    });
    replicasByIO.set(io, replicas);
  }
  return replicas;
}
