/**
 * A test file's own S3 store that honours conditional PUTs (`If-None-Match: *`), which
 * the shared S3Proxy ignores: moto's `moto_server` from the reader venv
 * (infra/python/requirements.txt), or the one LAKEGRAPH_MOTO_SERVER names. It keeps
 * everything in memory, so each start is an empty store with one bucket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after } from 'node:test';
import { S3Client } from '../../src/lake/io/s3-client.js';
import { resolveS3Config } from '../../src/lake/io/s3-config.js';
import { freePorts } from './private-services.js';
import { assertListening, VENV_PYTHON } from './services.js';

export const MOTO_SERVER = process.env.LAKEGRAPH_MOTO_SERVER || join(dirname(VENV_PYTHON), 'moto_server');
const START_TIMEOUT_MS = 30_000;

// Registered at import, at the test file's top level: a hook added inside a `before` would
// run when that hook ends.
const running = new Set<ChildProcess>();
after(() => {
  for (const moto of running) moto.kill();
});

export interface MotoStore {
  readonly endpoint: string;
  readonly bucket: string;
  /** FileIO properties for S3FileIO. */
  readonly properties: Readonly<Record<string, string>>;
  /** The AWS variables that point lakegraph, PyIceberg and DuckDB at the store (and away from a REST catalog). */
  readonly env: Readonly<Record<string, string>>;
}

/** Starts moto on a free loopback port with `bucket` in it; it is killed when the test file ends. */
export async function startMoto(bucket = 'lakegraph'): Promise<MotoStore> {
  const [port] = await freePorts(1);
  const endpoint = `http://127.0.0.1:${port}`;
  const moto: ChildProcess = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(moto);
  let stderr = '';
  moto.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => {
    moto.once('error', (error) => reject(new Error(`cannot run ${MOTO_SERVER} (infra/python/setup installs it): ${error.message}`)));
    moto.once('exit', (code) => reject(new Error(`${MOTO_SERVER} exited with ${code} before it listened:\n${stderr}`)));
  });
  exited.catch(() => {});
  await Promise.race([exited, listening(`127.0.0.1:${port}`)]);

  const properties = { 's3.endpoint': endpoint, 's3.access-key-id': 'test', 's3.secret-access-key': 'test', 's3.region': 'us-east-1' };
  await new S3Client(resolveS3Config(properties)).send({ method: 'PUT', bucket, key: '' });
  return {
    endpoint,
    bucket,
    properties,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      LAKEGRAPH_CATALOG_URI: '',
    },
  };
}

async function listening(hostPort: string): Promise<void> {
  for (const startedAt = Date.now(); ; await sleep(200)) {
    try {
      return await assertListening(hostPort, 200);
    } catch (error) {
      if (Date.now() - startedAt > START_TIMEOUT_MS) throw error;
    }
  }
}
