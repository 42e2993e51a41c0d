/** Runs the repo's Python readers (from `<repo>/.venv`, made by infra/python/setup) for lake integration tests. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** This file runs from dist/test/integration/, three levels below the repo root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function runPython<T>(script: string, args: readonly string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(`${REPO_ROOT}.venv/bin/python`, [`${REPO_ROOT}${script}`, ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}
