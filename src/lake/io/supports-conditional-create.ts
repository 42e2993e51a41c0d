/**
 * Whether a FileIO's `createIfAbsent` really is atomic where `prefix` lives. Some
 * S3-compatible stores (S3Proxy among them) ignore `If-None-Match: *` and overwrite, which
 * would let two committers both win; the filesystem-layout catalog asks this before
 * committing to an object store.
 */
import { randomUUID } from 'node:crypto';
import type { FileIO } from './file-io.js';

/** Creates a probe object twice: supported when the second create is refused. The probe is deleted. */
export async function supportsConditionalCreate(io: FileIO, prefix: string): Promise<boolean> {
  const probe = `${prefix}${prefix.endsWith('/') ? '' : '/'}.lakegraph-create-probe-${randomUUID()}`;
  try {
    if (!(await io.createIfAbsent(probe, 'first'))) return false;
    return !(await io.createIfAbsent(probe, 'second'));
  } finally {
    await io.delete(probe);
  }
}
