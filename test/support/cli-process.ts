/**
 * `lakegraph` run as a real child process by a test. Every child still running when the
 * test file ends is killed: a failed assertion must not leave an ingest or serve process
 * holding the test file open (its pipes keep node's test runner waiting forever).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after } from 'node:test';
import { step } from './private-services.js';
import { REPO_ROOT } from './services.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has ended and its output is closed. */
  readonly exited: Promise<CliRun>;
  /** What it printed so far. */
  output(): { readonly stdout: string; readonly stderr: string };
  /** Resolves once stdout has shown `text`; rejects if the process ends first. */
  waitFor(text: string): Promise<void>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters.splice(0)) (stdout.includes(w.text) ? w.resolve : () => waiters.push(w))();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then(() => reject(new Error(`lakegraph ${args[0]} exited before printing ${text}:\n${stdout}\n${stderr}`)));
      }),
  };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCli(args, env).exited;
}

/** A `lakegraph serve` that has said it serves, and the URL it logged. */
export interface ServeProcess {
  readonly process: CliProcess;
  readonly url: string;
}

/** `lakegraph serve` with `args` on a port the OS picks; resolves once it logs where it listens (within `timeoutMs`). */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServeProcess> {
  const serve = startCli(['serve', '--port', '0', ...args], env);
  await step('serve logging "serving"', timeoutMs, serve.waitFor('"msg":"serving"'));
  const line = serve.output().stdout.split('\n').find((l) => l.includes('"msg":"serving"'))!;
  return { process: serve, url: (JSON.parse(line) as { url: string }).url };
}
