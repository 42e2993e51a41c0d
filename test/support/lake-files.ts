/** Table files as tests see them, wherever the lake lives (local directory or object store). */
import type { FileIO } from '../../src/lake/io/file-io.js';
import { RoutingFileIO } from '../../src/lake/io/routing-file-io.js';

const io: FileIO = new RoutingFileIO();

/** Every file under `location` (a table's, say). */
export async function filesUnder(location: string): Promise<string[]> {
  const found: string[] = [];
  for await (const file of io.list(`${location.replace(/\/+$/, '')}/`)) found.push(file.location);
  return found;
}

/** Deletes every file under `location`. */
export async function deleteFilesUnder(location: string): Promise<void> {
  for (const file of await filesUnder(location)) await io.delete(file);
}
