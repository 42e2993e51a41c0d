/**
 * When another engine expired the snapshots between a table's current snapshot and the
 * nearest one with lakegraph's `lakegraph.*` properties (Spark's `rewrite_data_files`
 * then `expire_snapshots(retain_last => 1)` leaves only its own `replace` snapshot), those
 * snapshots are still described by the table's older metadata files: every engine lists
 * them in `metadata-log`, keeps them on expiry, and orphan cleanup (Spark's and
 * lakegraph's) counts them as reachable. The catalogs call this on every metadata they
 * return; it reads older files, newest first, only while the walk is broken, and
 * remembers the snapshots it walked (spec/recalled-snapshots.ts), so later loads read none.
 */
import { ExpiredAncestryError, findCarrier, hasCarriedProperties } from '../spec/carried-properties.js';
import { rememberExpiredSnapshots } from '../spec/recalled-snapshots.js';
import type { Snapshot, SnapshotId } from '../spec/snapshot.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { parseTableMetadataFile } from '../spec/table-metadata-json.js';
import { FileNotFoundError, type FileIO } from '../io/file-io.js';

/** Returns `metadata` itself, once the walk from its current snapshot reaches lakegraph's properties or can go no further. */
export async function recallExpiredAncestry(io: FileIO, metadata: TableMetadata): Promise<TableMetadata> {
  let missing = missingAncestor(metadata);
  const log = metadata['metadata-log'];
  for (let i = log.length - 1; i >= 0 && missing !== undefined; i--) {
    const older = await readOlderMetadata(io, log[i]!['metadata-file']);
    if (older === undefined) continue;
    const byId = new Map(older.snapshots.map((s) => [s['snapshot-id'], s]));
    const walked: Snapshot[] = [];
    for (let snapshot = byId.get(missing); snapshot !== undefined; snapshot = byId.get(missing)) {
      walked.push(snapshot);
      const parent = snapshot['parent-snapshot-id'];
      missing = hasCarriedProperties(snapshot) ? undefined : parent;
      if (missing === undefined) break;
    }
    // A parent missing here too was expired before this file: the files before it may hold it.
    rememberExpiredSnapshots(metadata['table-uuid'], walked);
  }
  return metadata;
}

function missingAncestor(metadata: TableMetadata): SnapshotId | undefined {
  try {
    findCarrier(metadata);
    return undefined;
  } catch (error) {
    if (error instanceof ExpiredAncestryError) return error.missing;
    throw error;
  }
}

/** Undefined when the file is gone: metadata-log may list files a cleanup removed since. */
async function readOlderMetadata(io: FileIO, location: string): Promise<TableMetadata | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await io.read(location);
  } catch (error) {
    if (error instanceof FileNotFoundError) return undefined;
    throw error;
  }
  return parseTableMetadataFile(bytes);
}
