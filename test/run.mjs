// What `npm test` runs after tsc: makes sure the reader venv exists, starts the local
// services that are not already running, runs every compiled test file one at a time
// (node orders them by path), stops the services it started, and exits with the
// tests' code.
//
// LAKEGRAPH_KEEP_SERVICES=1 leaves started services running (quicker reruns).
// Extra arguments are passed to `node --test`, e.g. `--test-name-pattern=dedup`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const SERVICES = [
  { name: 'kafka', port: 9092 },
  { name: 'object-store', port: 9000 },
  { name: 'rest-catalog', port: 8181 },
];
const TEST_DIRS = ['test/unit', 'test/integration'];
// A test file that has not finished by then fails (and is stopped) instead of hanging
// the run; the slowest file takes about three minutes.
const FILE_TIMEOUT_MS = 10 * 60_000;

function run(command, args) {
  const { status, error } = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (error) throw error;
  if (status !== 0) throw new Error(`${command} exited with ${status}`);
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    const answer = (yes) => {
      socket.destroy();
      resolve(yes);
    };
    socket.once('connect', () => answer(true));
    socket.once('error', () => answer(false));
    socket.once('timeout', () => answer(false));
  });
}

// Compiled test files whose TypeScript source still exists: dist/ outlives renamed or
// deleted tests in a working checkout, and those must not run. Listing the files
// ourselves also keeps helpers beside the tests from being taken for tests.
function testFiles() {
  return TEST_DIRS.flatMap((dir) => {
    const compiled = join(repo, 'dist', dir);
    if (!existsSync(compiled)) return [];
    return readdirSync(compiled, { recursive: true })
      .filter((file) => file.endsWith('.test.js') && existsSync(join(repo, dir, file.replace(/\.js$/, '.ts'))))
      .sort()
      .map((file) => relative(repo, join(compiled, file)));
  });
}

// The addresses and AWS settings of the local services (CONTRACTS §5–§6), as
// infra/local/env prints them; what the caller's environment sets wins.
function localServiceEnv() {
  const { stdout, status } = spawnSync(join(repo, 'infra/local/env'), [], { cwd: repo, encoding: 'utf8' });
  if (status !== 0) throw new Error('infra/local/env failed');
  return Object.fromEntries(
    stdout.split('\n').flatMap((line) => {
      const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
      return m ? [[m[1], m[2]]] : [];
    }),
  );
}

// Streams node's TAP output through and keeps its closing counts.
function runTests(files, env) {
  const args = ['--test', '--test-concurrency=1', `--test-timeout=${FILE_TIMEOUT_MS}`, '--test-reporter=tap', ...process.argv.slice(2), ...files];
  const child = spawn(process.execPath, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const counts = {};
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    const count = /^# (pass|fail|skipped) (\d+)$/.exec(line);
    if (count) counts[count[1]] = Number(count[2]);
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop).on('SIGTERM', stop);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), counts }));
  });
}

const started = [];
let exitCode = 1;
try {
  run(join(repo, 'infra/python/setup'), []);
  for (const service of SERVICES) if (!(await listening(service.port))) started.push(service.name);
  if (started.length > 0) run(join(repo, 'infra/local/up'), []);

  const files = testFiles();
  if (files.length === 0) throw new Error('no compiled tests under dist/test; run tsc -p . first');
  const env = {
    ...localServiceEnv(),
    ...process.env,
    LAKEGRAPH_PYTHON: process.env.LAKEGRAPH_PYTHON ?? join(repo, '.venv/bin/python'),
    LAKEGRAPH_DUCKDB_CLI: process.env.LAKEGRAPH_DUCKDB_CLI ?? join(repo, '.venv/bin/duckdb'),
  };
  const { code, counts } = await runTests(files, env);
  // The plain closing line, for readers that do not parse TAP.
  console.log(`tests: ${counts.pass ?? 0} passed, ${counts.fail ?? 0} failed, ${counts.skipped ?? 0} skipped`);
  exitCode = code;
} catch (err) {
  console.error(`test/run.mjs: ${err.message}`);
} finally {
  if (started.length > 0 && process.env.LAKEGRAPH_KEEP_SERVICES !== '1') {
    try {
      run(join(repo, 'infra/local/down'), started);
    } catch (err) {
      console.error(`test/run.mjs: stopping services failed: ${err.message}`);
    }
  }
}
process.exit(exitCode);
