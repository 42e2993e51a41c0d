/**
 * A FileIO for a catalog whose tables may live anywhere: each call goes to the FileIO of
 * its location's scheme (file-io-for.ts). A REST catalog hands out FileIO properties
 * (`s3.endpoint`, keys) with its config and its tables; they apply to every later call.
 */
import type { FileIO, FileStat, FileWriter } from './file-io.js';
import { fileIOFor } from './file-io-for.js';
import { schemeOf } from './location.js';
import type { FileIOProperties } from './s3-config.js';

export class RoutingFileIO implements FileIO {
  private configured: FileIOProperties = {};
  /** The FileIO of each scheme met so far under the current properties: resolving one reads the environment. */
  private readonly byScheme = new Map<string, FileIO>();

  /** Properties from the catalog; those given later (a table's) add to and win over earlier ones. */
  configure(properties: FileIOProperties): void {
    const next = { ...this.configured, ...properties };
    if (JSON.stringify(next) === JSON.stringify(this.configured)) return;
    this.configured = next;
    this.byScheme.clear();
  }

  /** What the catalog configured so far, for a client that reaches the same files another way (a DuckDB script). */
  get properties(): FileIOProperties {
    return this.configured;
  }

  private ioFor(location: string): FileIO {
    const scheme = schemeOf(location);
    let io = this.byScheme.get(scheme);
    if (io === undefined) this.byScheme.set(scheme, (io = fileIOFor(location, this.configured)));
    return io;
  }

  read(location: string): Promise<Uint8Array> {
    return this.ioFor(location).read(location);
  }

  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.ioFor(location).readRange(location, offset, length);
  }

  stat(location: string): Promise<FileStat | undefined> {
    return this.ioFor(location).stat(location);
  }

  write(location: string, bytes: Uint8Array | string): Promise<void> {
    return this.ioFor(location).write(location, bytes);
  }

  createIfAbsent(location: string, bytes: Uint8Array | string): Promise<boolean> {
    return this.ioFor(location).createIfAbsent(location, bytes);
  }

  openWriter(location: string): Promise<FileWriter> {
    return this.ioFor(location).openWriter(location);
  }

  delete(location: string): Promise<void> {
    return this.ioFor(location).delete(location);
  }

  list(prefix: string): AsyncIterable<FileStat> {
    return this.ioFor(prefix).list(prefix);
  }
}
