/**
 * How the lake's S3 client was chosen (issue 11): S3FileIO (our SigV4 signer over
 * node:http) against the AWS SDK v3 (`@aws-sdk/client-s3` + `@aws-sdk/lib-storage`), on the
 * same store, bytes and access patterns, taking turns so load drifts hit both alike:
 * a streaming multipart upload, whole and 1 MiB ranged reads, a Parquet footer read (the
 * 8-byte trailer then the footer), small-object PUT/GET latency; then install size and
 * cold import time, which need no store; and what carrying the bytes costs with Node's
 * fetch against node:http, on a loopback server in this process (no store, no signing).
 *
 *   node dist/bench/object-storage.js [--upload-mib 64] [--rounds 3] [--small-ops 100] [--bucket lakegraph]
 *
 * Store and keys from the AWS environment (`eval "$(infra/local/env)"` for the local one);
 * objects go under `bench/object-storage-<run>/` and are deleted at the end.
 */
import { execFileSync } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client as AwsSdkS3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { resolveS3Config } from '../src/lake/io/s3-config.js';
import { S3FileIO } from '../src/lake/io/s3-file-io.js';

const { values } = parseArgs({
  options: {
    'upload-mib': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'small-ops': { type: 'string', default: '100' },
    bucket: { type: 'string', default: 'lakegraph' },
  },
});
const MiB = 1024 * 1024;
const UPLOAD_BYTES = Number(values['upload-mib']) * MiB;
const ROUNDS = Number(values.rounds);
const SMALL_OPS = Number(values['small-ops']);
const BUCKET = values.bucket!;
const PREFIX = `bench/object-storage-${randomBytes(4).toString('hex')}/`;
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** About the footer of one of the lake's edge files. */
const FOOTER_BYTES = 40 * 1024;

/** What the bench asks of each client; each does it its own idiomatic way. */
interface Contender {
  readonly name: string;
  /** Names its objects, so the two never share one. */
  readonly tag: string;
  /** Streams `chunks` up as one object (multipart past one part). */
  upload(key: string, chunks: readonly Uint8Array[]): Promise<void>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  remove(key: string): Promise<void>;
}

const config = resolveS3Config();
// Both upload 8 MiB parts, four in flight.
const PART_SIZE = config.partSizeBytes;
const UPLOAD_CONCURRENCY = config.uploadConcurrency;

function s3FileIOContender(): Contender {
  const io = new S3FileIO(config);
  const at = (key: string) => `s3://${BUCKET}/${key}`;
  return {
    name: 'S3FileIO (SigV4 + node:http)',
    tag: 's3fileio',
    async upload(key, chunks) {
      const writer = await io.openWriter(at(key));
      for (const chunk of chunks) await writer.write(chunk);
      await writer.close();
    },
    put: (key, bytes) => io.write(at(key), bytes),
    get: (key) => io.read(at(key)),
    getRange: (key, offset, length) => io.readRange(at(key), offset, length),
    remove: (key) => io.delete(at(key)),
  };
}

function awsSdkContender(): Contender {
  const client = new AwsSdkS3Client({
    endpoint: config.endpoint,
    region: config.region,
    credentials: config.credentials,
    forcePathStyle: config.pathStyle,
    // S3Proxy answers the default CRC32 flexible checksums with NotImplemented.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const getBytes = async (key: string, range?: string) => {
    const reply = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
    return reply.Body!.transformToByteArray();
  };
  return {
    name: 'AWS SDK v3 (client-s3 + lib-storage)',
    tag: 'aws-sdk',
    async upload(key, chunks) {
      const body = Readable.from(chunks);
      await new Upload({ client, params: { Bucket: BUCKET, Key: key, Body: body }, partSize: PART_SIZE, queueSize: UPLOAD_CONCURRENCY }).done();
    },
    put: async (key, bytes) => void (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }))),
    get: (key) => getBytes(key),
    getRange: (key, offset, length) => getBytes(key, `bytes=${offset}-${offset + length - 1}`),
    remove: async (key) => void (await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))),
  };
}

interface Figures {
  uploadMBps: number[];
  wholeReadMBps: number[];
  rangedReadMBps: number[];
  footerMs: number[];
  smallPutMs: number[];
  smallGetMs: number[];
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function round(contender: Contender, data: Uint8Array, figures: Figures): Promise<void> {
  const key = `${PREFIX}${contender.tag}-large.bin`;
  const smallKeys = Array.from({ length: 10 }, (_, i) => `${PREFIX}${contender.tag}-small-${i}.json`);
  const chunks = Array.from({ length: Math.ceil(data.length / MiB) }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB));
  figures.uploadMBps.push(mbps(data.length, await timed(() => contender.upload(key, chunks))));

  let whole: Uint8Array = new Uint8Array(0);
  figures.wholeReadMBps.push(mbps(data.length, await timed(async () => (whole = await contender.get(key)))));
  if (!Buffer.from(whole).equals(data)) throw new Error(`${contender.name}: the object read back differs from the one uploaded`);

  const ranges = Math.min(32, data.length / MiB);
  figures.rangedReadMBps.push(mbps(ranges * MiB, await timed(async () => {
    for (let i = 0; i < ranges; i++) await contender.getRange(key, i * MiB, MiB);
  })));

  for (let i = 0; i < 10; i++) {
    figures.footerMs.push(await timed(async () => {
      await contender.getRange(key, data.length - 8, 8);
      await contender.getRange(key, data.length - 8 - FOOTER_BYTES, FOOTER_BYTES);
    }));
  }

  const small = randomBytes(1024);
  for (let i = 0; i < SMALL_OPS; i++) {
    figures.smallPutMs.push(await timed(() => contender.put(smallKeys[i % 10]!, small)));
    figures.smallGetMs.push(await timed(() => contender.get(smallKeys[i % 10]!)));
  }
  await Promise.all([key, ...smallKeys].map((k) => contender.remove(k)));
}

function nearestRank(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function report(name: string, f: Figures): void {
  const rate = (xs: number[]) => `${nearestRank(xs, 0.5).toFixed(0)} MB/s (best ${Math.max(...xs).toFixed(0)})`;
  const latency = (xs: number[]) => `p50 ${nearestRank(xs, 0.5).toFixed(2)} ms, p95 ${nearestRank(xs, 0.95).toFixed(2)} ms`;
  console.log(`\n${name}`);
  console.log(`  streaming upload (${UPLOAD_BYTES / MiB} MiB, ${PART_SIZE / MiB} MiB parts x${UPLOAD_CONCURRENCY}): ${rate(f.uploadMBps)}`);
  console.log(`  whole read:              ${rate(f.wholeReadMBps)}`);
  console.log(`  1 MiB ranged reads:      ${rate(f.rangedReadMBps)}`);
  console.log(`  footer (8 B + ${FOOTER_BYTES / 1024} KiB):   ${latency(f.footerMs)}`);
  console.log(`  1 KiB PUT:               ${latency(f.smallPutMs)}`);
  console.log(`  1 KiB GET:               ${latency(f.smallGetMs)}`);
}

/** Bytes on disk (du, apparent size) of the packages and everything they depend on. */
function installedBytes(packages: readonly string[]): { bytes: number; count: number } {
  const dirs = new Set<string>();
  const visit = (name: string, from: string) => {
    // Node's lookup: the dependant's own node_modules first, then the top level.
    const dir = [join(from, 'node_modules', name), join(REPO, 'node_modules', name)].find(existsSync);
    if (!dir || dirs.has(dir)) return;
    dirs.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir);
  };
  for (const name of packages) visit(name, REPO);
  const total = execFileSync('du', ['-scb', ...dirs], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  return { bytes: Number(total.split('\t')[0]), count: dirs.size };
}

/** Our client is the compiled files it is made of, with no dependencies. */
function ourClientBytes(): { bytes: number; files: number } {
  const dir = join(REPO, 'dist/src/lake/io');
  const files = readdirSync(dir).filter((f) => /^(s3-|sigv4|aws-|http-exchange).*\.js$/.test(f)).map((f) => join(dir, f));
  const total = execFileSync('du', ['-scb', ...files], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  return { bytes: Number(total.split('\t')[0]), files: files.length };
}

/** Median ms to import `specifiers` in a fresh node process (module loading and evaluation only). */
function coldImportMs(specifiers: readonly string[], runs = 7): number {
  const program = `const t = performance.now(); ${specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(' ')} console.log(performance.now() - t);`;
  const samples = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: REPO, encoding: 'utf8' })));
  return nearestRank(samples, 0.5);
}

console.log(`endpoint ${config.endpoint ?? 'AWS'}, bucket ${BUCKET}, ${ROUNDS} rounds, load ${loadavg()[0]!.toFixed(1)}`);
const contenders = [s3FileIOContender(), awsSdkContender()];
const figures = new Map(contenders.map((c) => [c.name, { uploadMBps: [], wholeReadMBps: [], rangedReadMBps: [], footerMs: [], smallPutMs: [], smallGetMs: [] } as Figures]));
const data = randomBytes(UPLOAD_BYTES);
for (let r = 0; r < ROUNDS; r++) {
  // Alternate who goes first, so neither always meets a store warmed by the other.
  for (const contender of r % 2 === 0 ? contenders : [...contenders].reverse()) await round(contender, data, figures.get(contender.name)!);
}
for (const contender of contenders) report(contender.name, figures.get(contender.name)!);

const sdk = installedBytes(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']);
const ours = ourClientBytes();
console.log(`\ninstall size: AWS SDK ${(sdk.bytes / MiB).toFixed(1)} MiB in ${sdk.count} packages; S3FileIO ${(ours.bytes / 1024).toFixed(0)} KiB in ${ours.files} files, no packages`);
console.log(
  `cold import (median of 7): AWS SDK ${coldImportMs(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']).toFixed(0)} ms; ` +
    `S3FileIO ${coldImportMs(['./dist/src/lake/io/s3-file-io.js']).toFixed(0)} ms`,
);

/** MB/s of 32 MiB GETs and PUTs to a loopback server, by fetch and by node:http (kept-alive). */
async function transportMBps(rounds = 5): Promise<Record<string, number[]>> {
  const body = randomBytes(32 * MiB);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(req.method === 'GET' ? body : undefined));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/object`;
  const agent = new Agent({ keepAlive: true });
  const viaHttp = (method: string, payload?: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) => {
      const req = request(url, { method, agent, headers: { 'content-length': String(payload?.length ?? 0) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject).end(payload);
    });
  const samples: Record<string, number[]> = { 'fetch GET': [], 'node:http GET': [], 'fetch PUT': [], 'node:http PUT': [] };
  for (let r = 0; r < rounds; r++) {
    samples['fetch GET']!.push(mbps(body.length, await timed(async () => (await fetch(url)).arrayBuffer())));
    samples['node:http GET']!.push(mbps(body.length, await timed(() => viaHttp('GET'))));
    samples['fetch PUT']!.push(mbps(body.length, await timed(async () => (await fetch(url, { method: 'PUT', body })).arrayBuffer())));
    samples['node:http PUT']!.push(mbps(body.length, await timed(() => viaHttp('PUT', body))));
  }
  agent.destroy();
  server.close();
  return samples;
}

const transport = await transportMBps();
console.log(`transport, 32 MiB on loopback (median of 5): ${Object.entries(transport).map(([name, xs]) => `${name} ${nearestRank(xs, 0.5).toFixed(0)} MB/s`).join(', ')}`);
