/**
 * FileIO over S3 and S3-compatible stores, for `s3://bucket/key` (and the `s3a://`,
 * `s3n://` spellings). Objects appear whole on PUT or on completing a multipart upload,
 * which gives FileIO's "no partial files" for free; `createIfAbsent` relies on the store
 * honouring `If-None-Match: *`, which not all do (see supports-conditional-create.ts).
 */
import { FileNotFoundError, type FileIO, type FileStat, type FileWriter } from './file-io.js';
import { S3Client, type S3Call, type S3Reply } from './s3-client.js';
import type { S3Config } from './s3-config.js';
import { S3Error } from './s3-errors.js';
import { formatS3Location, parseS3Location } from './s3-location.js';
import { S3MultipartWriter } from './s3-multipart-writer.js';
import { xmlElements, xmlValue } from './s3-xml.js';

export class S3FileIO implements FileIO {
  private readonly client: S3Client;

  constructor(
    readonly config: S3Config,
    warn?: (line: string) => void,
  ) {
    this.client = new S3Client(config, warn);
  }

  async read(location: string): Promise<Uint8Array> {
    return (await this.get(location)).body;
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    const reply = await this.get(location, {
      headers: { range: `bytes=${offset}-${offset + length - 1}` },
      // 416: the range starts past the end, where a local read returns nothing.
      expected: [416],
    });
    if (reply.status === 416) return new Uint8Array(0);
    // A store that ignores Range answers 200 with the whole object.
    return reply.status === 200 ? reply.body.subarray(offset, offset + length) : reply.body;
  }

  /** A GET whose missing key is FileIO's FileNotFoundError; a missing bucket stays a refusal that names it. */
  private async get(location: string, options: Pick<S3Call, 'headers' | 'expected'> = {}): Promise<S3Reply> {
    try {
      return await this.client.send({ method: 'GET', ...parseS3Location(location), ...options });
    } catch (error) {
      if (error instanceof S3Error && error.code === 'NoSuchKey') throw new FileNotFoundError(location, { cause: error });
      throw error;
    }
  }

  async stat(location: string): Promise<FileStat | undefined> {
    const reply = await this.client.send({ method: 'HEAD', ...parseS3Location(location), expected: [404] });
    if (reply.status === 404) return undefined;
    return {
      location,
      size: Number(reply.headers['content-length'] ?? 0),
      lastModifiedMs: Date.parse(reply.headers['last-modified'] ?? '') || 0,
    };
  }

  async write(location: string, bytes: Uint8Array | string): Promise<void> {
    await this.client.send({ method: 'PUT', ...parseS3Location(location), body: bytesOf(bytes) });
  }

  async createIfAbsent(location: string, bytes: Uint8Array | string): Promise<boolean> {
    const body = bytesOf(bytes);
    const reply = await this.client.send({ method: 'PUT', ...parseS3Location(location), headers: { 'if-none-match': '*' }, body, expected: [412] });
    if (reply.status !== 412) return true;
    // After a retry, 412 may be our own earlier try that landed unanswered: the same bytes say so.
    return reply.attempts > 1 && Buffer.compare(await this.read(location), body) === 0;
  }

  async openWriter(location: string): Promise<FileWriter> {
    return new S3MultipartWriter(this.client, parseS3Location(location), this.config.partSizeBytes, this.config.uploadConcurrency);
  }

  async delete(location: string): Promise<void> {
    await this.client.send({ method: 'DELETE', ...parseS3Location(location), expected: [404] });
  }

  async *list(prefix: string): AsyncIterable<FileStat> {
    const { scheme, bucket, key } = parseS3Location(prefix);
    let continuationToken: string | undefined;
    do {
      const query: [string, string][] = [['list-type', '2'], ['prefix', key], ['max-keys', String(this.config.listPageSize)]];
      if (continuationToken) query.push(['continuation-token', continuationToken]);
      const page = new TextDecoder().decode((await this.client.send({ method: 'GET', bucket, key: '', query })).body);
      for (const entry of xmlElements(page, 'Contents')) {
        const objectKey = xmlValue(entry, 'Key')!;
        // Keys ending in `/` are folder markers (filesystem-backed stores list their directories so).
        if (objectKey.endsWith('/')) continue;
        yield {
          location: formatS3Location({ scheme, bucket, key: objectKey }),
          size: Number(xmlValue(entry, 'Size') ?? 0),
          lastModifiedMs: Date.parse(xmlValue(entry, 'LastModified') ?? '') || 0,
        };
      }
      continuationToken = xmlValue(page, 'IsTruncated') === 'true' ? xmlValue(page, 'NextContinuationToken') : undefined;
    } while (continuationToken);
  }
}

function bytesOf(bytes: Uint8Array | string): Uint8Array {
  return typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
}
