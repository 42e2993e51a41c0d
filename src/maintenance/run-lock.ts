/**
 * One maintenance run at a time: a lock file created exclusively, holding the owner's
 * pid, host and start time. A lock whose owner died (same host, pid gone — e.g. after a
 * kill -9) is stale and taken over; a live owner's lock makes the caller give up with a
 * message naming it.
 */
import { hostname } from 'node:os';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const UNREADABLE_LOCK_GRACE_MS = 5_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export class RunLockHeldError extends Error {
  override readonly name = 'RunLockHeldError';
  constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    super(`another maintenance run holds ${path} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})`);
  }
}

export interface RunLock {
  readonly path: string;
  /** True when a dead owner's lock was taken over. */
  readonly tookOverStale: boolean;
  release(): Promise<void>;
}

export async function acquireRunLock(path: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  let tookOverStale = false;
  for (;;) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: 'wx' });
      return { path, tookOverStale, release: () => releaseIfMine(path, me) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released between our attempt and the read
    const owner = parseOwner(text);
    if (owner !== undefined && !isDead(owner)) throw new RunLockHeldError(path, owner);
    if (owner === undefined && (await ageMs(path)) < UNREADABLE_LOCK_GRACE_MS) {
      // Its owner created it an instant ago and is still writing it.
      await sleep(50);
      continue;
    }
    // A dead owner, or a file torn by a crash while being written. Re-read just before
    // removing it so a lock another process took over meanwhile is left alone.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await unlink(path).catch(() => {});
    tookOverStale = true;
  }
}

async function ageMs(path: string): Promise<number> {
  const stats = await stat(path).catch(() => undefined);
  return stats === undefined ? 0 : Date.now() - stats.mtimeMs;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Only provable on this host; another host's lock counts as live. */
function isDead(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function releaseIfMine(path: string, me: LockOwner): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text !== undefined && text === JSON.stringify(me)) await unlink(path);
}
