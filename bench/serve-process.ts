/** `lakegraph serve` as a real child process of a bench: on a free port, stopped with SIGTERM. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled CLI next to the compiled benches. */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** What it logged up to and including "serving" (JSON lines). */
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

/** Starts `lakegraph serve --port 0 <args>`; resolves once it listens. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => serve.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    serve.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      const line = lines.find((l) => l.includes('"msg":"serving"'));
      if (line !== undefined)
        resolve({
          url: (JSON.parse(line) as { url: string }).url,
          pid: serve.pid!,
          lines,
          stop: () => {
            serve.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then(() => reject(new Error(`serve exited before listening:\n${out}`)));
  });
}
