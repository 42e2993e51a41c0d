/**
 * Where integration tests find the real services and readers. `npm test` (test/run.mjs)
 * starts them and passes their addresses in the environment; run alone, a test falls
 * back to the addresses infra/local/up uses (docs/CONTRACTS.md §5) and the repo's .venv.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseJson } from '../../src/common/lossless-json.js';

/** The checkout this file was compiled from (it runs from dist/test/support/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export const BROKERS: readonly string[] = (process.env.LAKEGRAPH_BROKERS ?? '127.0.0.1:9092').split(',');
export const CATALOG_URI = process.env.LAKEGRAPH_CATALOG_URI ?? 'http://127.0.0.1:8181';

/** The reader venv from infra/python/setup: PyIceberg, duckdb, and `import duckdb_iceberg`. */
export const VENV_PYTHON = process.env.LAKEGRAPH_PYTHON ?? join(REPO_ROOT, '.venv/bin/python');
/** The DuckDB CLI (PyPI duckdb-cli, same version as @duckdb/node-api). */
export const DUCKDB_CLI = process.env.LAKEGRAPH_DUCKDB_CLI ?? join(REPO_ROOT, '.venv/bin/duckdb');
let extensionDirectory: Promise<string> | undefined;
/**
 * A DuckDB extension_directory holding iceberg, avro and httpfs for DuckDB 1.4.4, so
 * `SET autoinstall_known_extensions=false; SET extension_directory='…'; LOAD iceberg`
 * works offline in the CLI and in @duckdb/node-api alike. Asked of the venv once.
 */
export function duckdbExtensionDirectory(): Promise<string> {
  extensionDirectory ??= runPython<{ duckdb_extension_directory: string }>({ module: 'duckdb_iceberg' }).then(
    (paths) => paths.duckdb_extension_directory,
  );
  return extensionDirectory;
}

export type PythonProgram = { readonly code: string } | { readonly script: string } | { readonly module: string };

/**
 * Runs Python from the reader venv and parses the last non-empty line of its stdout as
 * JSON (earlier lines may be progress output). `script` is relative to the repo root.
 * A non-zero exit rejects with the program's stderr in the message. `env` adds to this
 * process's environment (an object store's AWS variables, say).
 */
export async function runPython<T>(program: PythonProgram, args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<T> {
  const head =
    'code' in program ? ['-c', program.code] : 'module' in program ? ['-m', program.module] : [join(REPO_ROOT, program.script)];
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(VENV_PYTHON, [...head, ...args], { cwd: REPO_ROOT, maxBuffer: 256 << 20, env: { ...process.env, ...env } }));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`${VENV_PYTHON} failed: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  const lines = stdout.trimEnd().split('\n');
  // Python prints 64-bit ints (snapshot ids of other engines) as they are: keep them exact.
  return parseJson(lines[lines.length - 1]!) as T;
}

/** Runs `fn` with a fresh directory under the OS temp dir, removed afterwards whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, prefix = 'lakegraph-test-'): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Resolves when `host:port` accepts a TCP connection, and rejects with a hint to start
 * the local services otherwise; lets a test fail with a cause instead of a client timeout.
 */
export function assertListening(hostPort: string, timeoutMs = 2000): Promise<void> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`nothing answers on ${hostPort} (${why}); start the services with infra/local/up`));
    };
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('timeout', () => fail('timeout'));
    socket.once('error', (err) => fail(err.message));
  });
}
