/**
 * Table locations as metadata records them: local paths, `file:` URIs (Java writers),
 * and object-store URIs, where Spark and Hadoop also write `s3a://` and `s3n://` for the
 * same objects. Comparing locations (which files a snapshot references, which files a
 * listing found) needs one spelling per file.
 */
import { join } from 'node:path';
import { localPath } from './local-file-io.js';

const OBJECT_STORE_URI = /^([a-z][a-z0-9+.-]*):\/\//i;
const S3_ALIASES = /^s3[an]:\/\//i;

/** The location's URI scheme in lower case; `file` for a local path. */
export function schemeOf(location: string): string {
  return OBJECT_STORE_URI.exec(location)?.[1]?.toLowerCase() ?? 'file';
}

/** Whether `location` names a file on this host (a path or a `file:` URI). */
export function isLocalLocation(location: string): boolean {
  return location.startsWith('file:') || !OBJECT_STORE_URI.test(location);
}

/** One spelling per file: local locations as paths, `s3a://`/`s3n://` as `s3://`. */
export function canonicalLocation(location: string): string {
  if (isLocalLocation(location)) return localPath(location);
  return location.replace(S3_ALIASES, 's3://');
}

/** `base` with path segments appended, in the base's own spelling. */
export function joinLocation(base: string, ...segments: string[]): string {
  if (isLocalLocation(base) && !base.startsWith('file:')) return join(base, ...segments);
  return [base.replace(/\/+$/, ''), ...segments].join('/');
}
