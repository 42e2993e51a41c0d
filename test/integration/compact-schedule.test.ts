/**
 * `lakegraph compact --every 1s` as a real process: it runs again and again; while one of
 * its runs holds the lock (the process is frozen with SIGSTOP mid-run, so the overlap is
 * certain), a second `compact` exits 1 with a message naming the holder; SIGTERM stops
 * the loop with exit 0 and the lock released.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { generatorOptions, ingestEmbedded } from './compact-fixtures.js';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';

/** The lock's owner pid; undefined while there is no lock, or its owner has created the file but not written it yet. */
async function lockHolder(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  try {
    return text === undefined ? undefined : (JSON.parse(text) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Freezes `run` while it holds the lock; resolves once frozen with the lock held. */
async function freezeHoldingLock(run: CliProcess, lockPath: string): Promise<void> {
  const pid = run.child.pid!;
  for (;;) {
    await until('the scheduled run to take the lock', async () => (await lockHolder(lockPath)) === pid);
    run.child.kill('SIGSTOP');
    if ((await lockHolder(lockPath)) === pid) return;
    run.child.kill('SIGCONT'); // its run ended between the look and the stop
  }
}

test('compact --every 1s: runs repeatedly, a second compact meanwhile exits with the lock message, SIGTERM stops it cleanly', { timeout: 120_000 }, async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'compact-schedule-'));
  const lockPath = join(warehouse, '.compact.lock');
  try {
    await ingestEmbedded(warehouse, generatorOptions(600));
    const scheduled = startCli(['compact', '--every', '1s', '--warehouse', warehouse, '--json']);
    const completedRuns = () => scheduled.output().stdout.split('\n').filter(Boolean).length;
    try {
      await freezeHoldingLock(scheduled, lockPath);
      const second = await runCli(['compact', '--warehouse', warehouse]);
      assert.equal(second.code, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`another maintenance run holds \\S+\\.compact\\.lock \\(pid ${scheduled.child.pid} on .+\\); not running`));
      assert.equal(second.stdout, '', 'the second process did no run');
      scheduled.child.kill('SIGCONT');

      await until('two completed scheduled runs', () => completedRuns() >= 2);
    } finally {
      scheduled.child.kill('SIGCONT');
      scheduled.child.kill('SIGTERM');
    }
    const end = await scheduled.exited;
    assert.deepEqual({ code: end.code, signal: end.signal }, { code: 0, signal: null }, end.stderr);
    const runs = end.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { dryRun: boolean; tables: unknown[] });
    assert.ok(runs.length >= 2 && runs.every((r) => r.tables.length === 3), `${runs.length} complete runs`);
    assert.match(end.stderr, /running every 1s/);
    assert.match(end.stderr, /next run at /);
    await assert.rejects(access(lockPath), 'the lock is released');
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
