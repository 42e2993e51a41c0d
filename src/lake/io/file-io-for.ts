/**
 * The FileIO for a location, by its scheme: LocalFileIO for paths and `file:` URIs,
 * S3FileIO for `s3://` (and `s3a://`, `s3n://`). S3FileIOs are kept per configuration, so
 * every table on one store shares one client (and its connections).
 */
import type { FileIO } from './file-io.js';
import { LocalFileIO } from './local-file-io.js';
import { isLocalLocation, schemeOf } from './location.js';
import { resolveS3Config, type FileIOProperties } from './s3-config.js';
import { S3FileIO } from './s3-file-io.js';
import { isS3Location, S3_SCHEMES } from './s3-location.js';

const localFileIO = new LocalFileIO();
const s3FileIOs = new Map<string, S3FileIO>();

/**
 * `properties` are the FileIO properties a REST catalog returned for the table (`s3.endpoint`,
 * `s3.access-key-id`…); they win over the environment and the AWS profile.
 */
export function fileIOFor(location: string, properties: FileIOProperties = {}): FileIO {
  if (isLocalLocation(location)) return localFileIO;
  if (isS3Location(location)) {
    const config = resolveS3Config(properties);
    const key = JSON.stringify(config);
    let io = s3FileIOs.get(key);
    if (!io) s3FileIOs.set(key, (io = new S3FileIO(config)));
    return io;
  }
  throw new Error(`no FileIO for ${schemeOf(location)}:// locations (${location}); supported: local paths, file:, ${S3_SCHEMES.map((s) => `${s}://`).join(', ')}`);
}
