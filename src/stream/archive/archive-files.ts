/**
 * The files of an archive (`--from FILE|DIR|s3://bucket/prefix`) and the records in them,
 * read through the lake's FileIO, so a local path and an object-store prefix are one case.
 *
 * A directory or prefix is read in name order (recursively), skipping names that are not
 * archive files (`_SUCCESS`, checksums). JSON lines are read in ranges of CHUNK_BYTES, so
 * a large file never sits in memory whole; a Parquet file is read whole and decoded by
 * parquet-wasm, so keep Parquet files to a few hundred MB each.
 */
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { errorMessage } from '../../common/error-message.js';
import type { FileIO, FileStat } from '../../lake/io/file-io.js';
import { fileIOFor } from '../../lake/io/file-io-for.js';
import { isLocalLocation } from '../../lake/io/location.js';
import type { SourceRecord } from '../source-record.js';
import { ArchiveFormatError, archiveFormatOf, kafkaNumber, recordOfJsonLine, type ArchiveFormat, JSON_LINES_EXTENSIONS, PARQUET_EXTENSION } from './archive-format.js';

const CHUNK_BYTES = 8 << 20;

export interface ArchiveFile {
  readonly location: string;
  readonly size: number;
  readonly format: ArchiveFormat;
}

/** `--from` names nothing readable: no file, an empty directory, no store access. */
export class ArchiveNotFoundError extends Error {
  override readonly name = 'ArchiveNotFoundError';
}

const KNOWN = [...JSON_LINES_EXTENSIONS, PARQUET_EXTENSION].join(', ');

/** The archive's files in the order they are replayed. */
export async function listArchive(from: string): Promise<ArchiveFile[]> {
  let io: FileIO;
  try {
    io = fileIOFor(from);
  } catch (error) {
    throw new ArchiveNotFoundError(`archive ${from}: ${errorMessage(error)}`);
  }
  let single: FileStat | undefined;
  const listed: FileStat[] = [];
  try {
    // A name with an archive extension is a file; anything else a directory or prefix (listing a file fails locally).
    if (archiveFormatOf(from) !== undefined && !from.endsWith('/')) single = await io.stat(from);
    if (single === undefined) for await (const file of io.list(from.endsWith('/') ? from : `${from}/`)) listed.push(file);
    if (single === undefined && listed.length === 0 && !from.endsWith('/') && !isLocalLocation(from)) single = await io.stat(from);
  } catch (error) {
    // Listing a local file as a directory fails: it is a file, just not named as an archive.
    const file = await io.stat(from).catch(() => undefined);
    throw new ArchiveNotFoundError(file !== undefined ? `archive ${from}: not an archive file name; name it with one of ${KNOWN}` : `archive ${from} cannot be read: ${errorMessage(error)}`);
  }
  if (single !== undefined) {
    const format = archiveFormatOf(single.location);
    if (format === undefined) throw new ArchiveNotFoundError(`archive ${from}: not an archive file name; name it with one of ${KNOWN}`);
    return [{ location: single.location, size: single.size, format }];
  }
  const files = listed.flatMap((file) => {
    const format = archiveFormatOf(file.location);
    return format === undefined ? [] : [{ location: file.location, size: file.size, format }];
  });
  if (files.length === 0) {
    const what = listed.length === 0 ? (isLocalLocation(from) ? 'no such file or directory' : 'no such object or prefix') : `none of its ${listed.length} files ends in ${KNOWN}`;
    throw new ArchiveNotFoundError(`archive ${from}: ${what}`);
  }
  return files.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}

/** Every record of `file`, in file order. */
export function readArchiveFile(file: ArchiveFile): AsyncIterable<SourceRecord> {
  const io = fileIOFor(file.location);
  return file.format === 'parquet' ? parquetRecords(io, file) : jsonLineRecords(io, file);
}

async function* jsonLineRecords(io: FileIO, file: ArchiveFile): AsyncGenerator<SourceRecord> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let lineNumber = 0;
  for (let at = 0; at < file.size; at += CHUNK_BYTES) {
    const text = carry + decoder.decode(await readRange(io, file.location, at, Math.min(CHUNK_BYTES, file.size - at)), { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      lineNumber++;
      const line = text.slice(start, end);
      start = end + 1;
      if (line.trim() !== '') yield recordOfJsonLine(line, file.location, lineNumber);
    }
    carry = text.slice(start);
  }
  carry += decoder.decode();
  if (carry.trim() !== '') yield recordOfJsonLine(carry, file.location, lineNumber + 1);
}

async function readRange(io: FileIO, location: string, offset: number, length: number): Promise<Uint8Array> {
  try {
    return await io.readRange(location, offset, length);
  } catch (error) {
    throw new ArchiveNotFoundError(`archive file ${location} cannot be read: ${errorMessage(error)}`);
  }
}

const REQUIRED_COLUMNS = ['topic', 'partition', 'offset', 'key', 'value'] as const;

async function* parquetRecords(io: FileIO, file: ArchiveFile): AsyncGenerator<SourceRecord> {
  let table: arrow.Table;
  try {
    const bytes = await readRange(io, file.location, 0, file.size);
    table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  } catch (error) {
    if (error instanceof ArchiveNotFoundError) throw error;
    throw new ArchiveFormatError(`${file.location}: not a readable Parquet file: ${errorMessage(error)}`);
  }
  const missing = REQUIRED_COLUMNS.filter((name) => table.getChild(name) === null);
  if (missing.length > 0) throw new ArchiveFormatError(`${file.location}: no column ${missing.join(', ')}; an archive needs ${REQUIRED_COLUMNS.join(', ')} (and may have timestamp)`);
  const utf8 = new TextEncoder();
  const bytesOf = (value: unknown): Uint8Array | null => (value === null || value === undefined ? null : typeof value === 'string' ? utf8.encode(value) : (value as Uint8Array));
  let rowsBefore = 0;
  for (const batch of table.batches) {
    const [topics, partitions, offsets, keys, values] = REQUIRED_COLUMNS.map((name) => batch.getChild(name)!);
    const timestamps = batch.getChild('timestamp');
    for (let row = 0; row < batch.numRows; row++) {
      const topic = topics.get(row) as unknown;
      const partition = kafkaNumber(partitions.get(row));
      const offset = kafkaNumber(offsets.get(row));
      if (typeof topic !== 'string' || partition === undefined || offset === undefined) {
        throw new ArchiveFormatError(`${file.location} row ${rowsBefore + row + 1}: needs a topic, a partition and an offset`);
      }
      const ts = timestamps?.get(row) as unknown;
      yield { topic, partition, offset, key: bytesOf(keys.get(row)), value: bytesOf(values.get(row)), timestamp: ts === null || ts === undefined ? 0 : Number(ts) };
    }
    rowsBefore += batch.numRows;
  }
}
