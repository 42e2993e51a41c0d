/**
 * S3FileIO against the local S3-compatible store (`infra/local/up`, S3Proxy; or
 * AWS_ENDPOINT_URL_S3): every FileIO method, multipart streaming, paged listing and the
 * refusals a user meets. Faults the real store cannot be made to show (503s, a closed
 * port) come from a tiny HTTP server standing in for it. Conditional create is checked on
 * the test's own moto as well (test/support/moto-server.ts), since S3Proxy ignores
 * `If-None-Match: *`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { resolveS3Config, type S3Config } from '../../src/lake/io/s3-config.js';
import { FileNotFoundError } from '../../src/lake/io/file-io.js';
import { S3FileIO } from '../../src/lake/io/s3-file-io.js';
import { supportsConditionalCreate } from '../../src/lake/io/supports-conditional-create.js';
import { startMoto, type MotoStore } from '../support/moto-server.js';
import { assertListening } from '../support/services.js';

const ENDPOINT = process.env.AWS_ENDPOINT_URL_S3 ?? 'http://127.0.0.1:9000';
const BUCKET = 'lakegraph';
const STORE_PROPERTIES = {
  's3.endpoint': ENDPOINT,
  's3.access-key-id': process.env.AWS_ACCESS_KEY_ID ?? 'lakegraph',
  's3.secret-access-key': process.env.AWS_SECRET_ACCESS_KEY ?? 'lakegraph-secret',
  's3.region': process.env.AWS_REGION ?? 'us-east-1',
};
const MiB = 1024 * 1024;

const ROOT = `s3://${BUCKET}/test/s3-file-io-${randomBytes(4).toString('hex')}/`;

/** An S3FileIO whose retry lines are kept rather than printed. */
function fileIO(overrides: Partial<S3Config> = {}, properties: Record<string, string> = STORE_PROPERTIES): { io: S3FileIO; retries: string[] } {
  const retries: string[] = [];
  const io = new S3FileIO({ ...resolveS3Config(properties), ...overrides }, (line) => retries.push(line));
  return { io, retries };
}

function patterned(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Byte equality without deepEqual's element-by-element diff of megabytes. */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.length, expected.length, 'lengths differ');
  assert.ok(Buffer.compare(actual, expected) === 0, 'bytes differ');
}

/** An HTTP server on loopback standing in for the store; `close` stops it. */
async function standInStore(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ endpoint: string; port: number; close: () => Promise<void> }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const server = await standInStore(() => {});
  await server.close();
  return server.port;
}

describe('S3FileIO on the local object store', () => {
  const { io } = fileIO();

  before(() => assertListening(new URL(ENDPOINT).host));
  after(async () => {
    for await (const file of io.list(ROOT)) await io.delete(file.location);
  });

  it('writes, reads, stats, reads ranges of and deletes an object', async () => {
    const location = `${ROOT}plain/a b+c.bin`;
    const bytes = patterned(3 * MiB + 17, 1);
    await io.write(location, bytes);
    assertSameBytes(await io.read(location), bytes);
    const stat = await io.stat(location);
    assert.equal(stat?.size, bytes.length);
    assert.ok(Math.abs(stat!.lastModifiedMs - Date.now()) < 5 * 60_000);

    // A Parquet reader's pattern: the 8-byte trailer, then the footer it points at, then a column chunk.
    assertSameBytes(await io.readRange(location, bytes.length - 8, 8), bytes.subarray(bytes.length - 8));
    assertSameBytes(await io.readRange(location, bytes.length - 4096, 4088), bytes.subarray(bytes.length - 4096, bytes.length - 8));
    assertSameBytes(await io.readRange(location, MiB, MiB), bytes.subarray(MiB, 2 * MiB));
    assertSameBytes(await io.readRange(location, bytes.length - 5, 100), bytes.subarray(bytes.length - 5));
    assert.equal((await io.readRange(location, bytes.length + 10, 10)).length, 0);

    await io.write(location, 'replaced');
    assert.equal(text(await io.read(location)), 'replaced');
    await io.delete(location);
    assert.equal(await io.stat(location), undefined);
    await io.delete(location);
    await io.delete(`${ROOT}plain/never-written`);
    assert.equal(await io.stat(`${ROOT}plain/never-written`), undefined);
    await assert.rejects(io.read(location), FileNotFoundError);
    await assert.rejects(io.readRange(location, 0, 8), FileNotFoundError);
  });

  it('streams a multi-part upload whose bytes round-trip exactly, and a small file as one PUT', async () => {
    const { io: smallParts } = fileIO({ partSizeBytes: 5 * MiB, uploadConcurrency: 2 });
    const location = `${ROOT}multipart/large.parquet`;
    const bytes = patterned(17 * MiB + 12_345, 2);
    const writer = await smallParts.openWriter(location);
    // Uneven chunks, so parts fill across chunk boundaries.
    for (let offset = 0, step = 700_001; offset < bytes.length; offset += step) await writer.write(bytes.subarray(offset, offset + step));
    assert.equal(await smallParts.stat(location), undefined, 'invisible until close');
    await writer.close();
    assert.equal((await smallParts.stat(location))?.size, bytes.length);
    assertSameBytes(await smallParts.read(location), bytes);

    const small = `${ROOT}multipart/small.json`;
    const smallWriter = await smallParts.openWriter(small);
    await smallWriter.write(new TextEncoder().encode('{"a":'));
    await smallWriter.write(new TextEncoder().encode('1}'));
    await smallWriter.close();
    assert.equal(text(await smallParts.read(small)), '{"a":1}');
  });

  it('leaves nothing behind when a streaming write is aborted', async () => {
    const { io: smallParts } = fileIO({ partSizeBytes: 5 * MiB });
    const location = `${ROOT}multipart/aborted.parquet`;
    const writer = await smallParts.openWriter(location);
    await writer.write(patterned(11 * MiB, 3));
    await writer.abort();
    assert.equal(await smallParts.stat(location), undefined);
  });

  it('lists a prefix across pages, keeping the scheme it was asked with', async () => {
    const { io: pagedIO } = fileIO({ listPageSize: 7 });
    const keys = Array.from({ length: 23 }, (_, i) => `listing/part-${String(i).padStart(2, '0')}.parquet`);
    await Promise.all([...keys, 'listing/nested/deeper.json', 'listing-sibling.txt'].map((key) => io.write(`${ROOT}${key}`, key)));

    const listed = [];
    for await (const file of pagedIO.list(`${ROOT}listing/`)) listed.push(file);
    assert.deepEqual(listed.map((f) => f.location), ['listing/nested/deeper.json', ...keys].map((key) => `${ROOT}${key}`));
    assert.equal(listed[1]!.size, keys[0]!.length);

    const s3a = [];
    for await (const file of pagedIO.list(`${ROOT.replace('s3://', 's3a://')}listing/part-2`)) s3a.push(file.location);
    assert.deepEqual(s3a, ['part-20', 'part-21', 'part-22'].map((name) => `${ROOT.replace('s3://', 's3a://')}listing/${name}.parquet`));

    const none = [];
    for await (const file of io.list(`${ROOT}no-such-dir/`)) none.push(file);
    assert.deepEqual(none, []);
  });

  it('creates if absent, and the probe finds that S3Proxy does not refuse the second create', async () => {
    const location = `${ROOT}create/first`;
    assert.equal(await io.createIfAbsent(location, 'one'), true);
    assert.equal(text(await io.read(location)), 'one');
    assert.equal(await supportsConditionalCreate(io, `${ROOT}create/`), false);
    const left = [];
    for await (const file of io.list(`${ROOT}create/`)) left.push(file.location);
    assert.deepEqual(left, [location], 'the probe deletes its object');
  });

  it('refuses a wrong secret in one line naming bucket, key and S3 code, without retrying', async () => {
    const { io: wrong, retries } = fileIO({}, { ...STORE_PROPERTIES, 's3.secret-access-key': 'not-the-secret' });
    await assert.rejects(wrong.read(`${ROOT}plain/x.json`), (error: Error) => {
      assert.equal(
        error.message,
        `S3 refused GET ${ROOT}plain/x.json (403 SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY (or the catalog's s3.secret-access-key) for this access key`,
      );
      return true;
    });
    await assert.rejects(wrong.write(`${ROOT}plain/y.json`, '{}'), /^S3Error: S3 refused PUT s3:\/\/lakegraph\/test\/.*plain\/y\.json \(403 SignatureDoesNotMatch\)/);
    // A HEAD reply has no body to name the code in.
    await assert.rejects(wrong.stat(`${ROOT}plain/x.json`), /^S3Error: S3 refused HEAD s3:\/\/lakegraph\/test\/.*plain\/x\.json \(403 Forbidden\): check AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY and their permissions$/);
    const { io: unknownKey } = fileIO({}, { ...STORE_PROPERTIES, 's3.access-key-id': 'nobody' });
    await assert.rejects(unknownKey.read(`${ROOT}plain/x.json`), /S3 refused GET .* \(403 InvalidAccessKeyId\): check AWS_ACCESS_KEY_ID/);
    assert.deepEqual(retries, []);
  });

  it('names a missing bucket', async () => {
    await assert.rejects(io.read('s3://no-such-bucket-lakegraph/k'), /S3 GET s3:\/\/no-such-bucket-lakegraph\/k failed \(404 NoSuchBucket\): the bucket does not exist/);
  });
});

describe('S3FileIO retries', () => {
  it('rides through 503 SlowDown twice, then reads', async () => {
    let calls = 0;
    const store = await standInStore((_, response) => {
      calls++;
      if (calls <= 2) {
        response.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      } else {
        response.writeHead(200).end('payload');
      }
    });
    try {
      const { io, retries } = fileIO({ endpoint: store.endpoint });
      assert.equal(text(await io.read('s3://lakegraph/busy/object')), 'payload');
      assert.equal(calls, 3);
      assert.equal(retries.length, 2);
      assert.match(retries[0]!, /^lakegraph s3: S3 GET s3:\/\/lakegraph\/busy\/object failed \(503 SlowDown\): Please reduce your request rate\.; retry 1 in \d+ ms$/);
    } finally {
      await store.close();
    }
  });

  it('gives up on a closed port at the deadline with a clear error', async () => {
    const port = await freePort();
    const { io, retries } = fileIO({ endpoint: `http://127.0.0.1:${port}`, retryDeadlineMs: 1500 });
    const startedAt = Date.now();
    await assert.rejects(
      io.stat('s3://lakegraph/warehouse/metadata.json'),
      new RegExp(`^S3UnreachableError: S3 HEAD s3://lakegraph/warehouse/metadata.json: no answer from http://127.0.0.1:${port} \\(ECONNREFUSED\\); gave up after \\d+ tries in [\\d.]+ s \\(retry deadline 1.5 s, LAKEGRAPH_S3_RETRY_DEADLINE\\)$`),
    );
    assert.ok(Date.now() - startedAt < 3000);
    assert.ok(retries.length >= 1);
  });

  it('times out a request that gets no answer, and retries it', async () => {
    let calls = 0;
    const store = await standInStore((_, response) => {
      if (++calls > 1) response.writeHead(200).end('late but whole');
    });
    try {
      const { io, retries } = fileIO({ endpoint: store.endpoint, requestTimeoutMs: 300 });
      assert.equal(text(await io.read('s3://lakegraph/slow')), 'late but whole');
      assert.match(retries[0]!, /no answer from .* \(timed out after 300 ms\); retry 1/);
    } finally {
      await store.close();
    }
  });
});

describe('S3FileIO streaming write failures', () => {
  it('fails the write when a part is refused, abort drops the upload, and no flexible checksums are sent', async () => {
    const seen: string[] = [];
    const store = await standInStore((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      assert.deepEqual(Object.keys(request.headers).filter((name) => name.startsWith('x-amz-checksum') || name === 'x-amz-sdk-checksum-algorithm'), []);
      request.resume();
      request.on('end', () => {
        if (request.method === 'POST') response.end('<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>');
        else if (request.url!.includes('partNumber=2')) response.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
        else response.writeHead(request.method === 'DELETE' ? 204 : 200, { etag: '"e"' }).end();
      });
    });
    try {
      const { io } = fileIO({ endpoint: store.endpoint, partSizeBytes: 5 * MiB, uploadConcurrency: 1 });
      const writer = await io.openWriter('s3://lakegraph/data/refused.parquet');
      await assert.rejects(
        (async () => {
          for (let i = 0; i < 4; i++) await writer.write(patterned(3 * MiB, i));
          await writer.close();
        })(),
        /S3 refused PUT s3:\/\/lakegraph\/data\/refused\.parquet \(403 AccessDenied\)/,
      );
      await writer.abort();
      assert.deepEqual(seen, [
        'POST /lakegraph/data/refused.parquet?uploads=',
        'PUT /lakegraph/data/refused.parquet?partNumber=1&uploadId=up-1',
        'PUT /lakegraph/data/refused.parquet?partNumber=2&uploadId=up-1',
        'DELETE /lakegraph/data/refused.parquet?uploadId=up-1',
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('conditional create on moto', () => {
  let moto: MotoStore;
  before(async () => {
    moto = await startMoto(BUCKET);
  });

  it('refuses the second create, and the probe says so', async () => {
    const { io } = fileIO({}, moto.properties);
    assert.equal(await io.createIfAbsent(`s3://${BUCKET}/commit/v1.metadata.json`, 'mine'), true);
    assert.equal(await io.createIfAbsent(`s3://${BUCKET}/commit/v1.metadata.json`, 'theirs'), false);
    assert.equal(text(await io.read(`s3://${BUCKET}/commit/v1.metadata.json`)), 'mine');
    assert.equal(await supportsConditionalCreate(io, `s3://${BUCKET}/commit/`), true);
  });
});
