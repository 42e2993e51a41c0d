/** Table files as tests see them, wherever the lake lives (local directory or object store). */
import type { FileIO } from '../../src/lake/io/file-io.js';
import { RoutingFileIO } from '../../src/lake/io/routing-file-io.js';

const defaultIO: FileIO = new RoutingFileIO();

/** Every file under `location` (a table's, say); `io` reaches the store it is in (default: the environment's). */
export async function filesUnder(location: string, io: FileIO = defaultIO): Promise<string[]> {
  const found: string[] = [];
  for await (const file of io.list(`${location.replace(/\/+$/, '')}/`)) found.push(file.location);
  return found;
}

/** Deletes every file under `location`. */
export async function deleteFilesUnder(location: string, io: FileIO = defaultIO): Promise<void> {
  for (const file of await filesUnder(location, io)) await io.delete(file);
}
