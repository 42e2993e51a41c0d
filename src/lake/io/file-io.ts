/**
 * Every byte the lake reads or writes goes through a FileIO: metadata JSON, manifests,
 * manifest lists and data files alike. Locations are what table metadata records — an
 * absolute local path, a `file:` URI, or an object-store URI such as `s3://bucket/key` —
 * and no caller needs to know which. `file-io-for.ts` picks the implementation by scheme.
 */

/** What `read` and `readRange` throw when nothing is at the location, whatever the store. */
export class FileNotFoundError extends Error {
  constructor(readonly location: string, options?: ErrorOptions) {
    super(`no file at ${location}`, options);
    this.name = 'FileNotFoundError';
  }
}

export interface FileStat {
  readonly location: string;
  readonly size: number;
  readonly lastModifiedMs: number;
}

/** A file written piece by piece (a large Parquet file, say); invisible to readers until `close`. */
export interface FileWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Publishes the file whole. */
  close(): Promise<void>;
  /** Drops what was written; the location stays as it was. */
  abort(): Promise<void>;
}

export interface FileIO {
  /** Throws FileNotFoundError when there is no file at `location`. */
  read(location: string): Promise<Uint8Array>;
  /** `length` bytes from `offset` (a Parquet footer, a column chunk) without reading the rest. */
  readRange(location: string, offset: number, length: number): Promise<Uint8Array>;
  /** Undefined when there is no file at `location`. */
  stat(location: string): Promise<FileStat | undefined>;
  /** Writes a new file whole: readers never observe a partial file. */
  write(location: string, bytes: Uint8Array | string): Promise<void>;
  /**
   * Writes the file only if nothing is at `location`, atomically against other writers
   * on any host: true when this call created it, false when it already existed. The
   * filesystem-layout catalog commits with it.
   */
  createIfAbsent(location: string, bytes: Uint8Array | string): Promise<boolean>;
  openWriter(location: string): Promise<FileWriter>;
  /** Removes the file; no error when it is already gone. */
  delete(location: string): Promise<void>;
  /** Every file whose location starts with `prefix` (a directory: end it with `/`). */
  list(prefix: string): AsyncIterable<FileStat>;
}
