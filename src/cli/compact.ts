/**
 * `lakegraph compact`: table maintenance once, or on a schedule with `--every`. One run
 * at a time per warehouse (a lock file); a second process exits (or, when scheduled,
 * skips that run) with a message naming the holder.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringifyJson } from '../common/lossless-json.js';
import type { Catalog } from '../lake/catalog/catalog.js';
import { FilesystemCatalog } from '../lake/catalog/filesystem-catalog.js';
import { RestCatalog } from '../lake/catalog/rest-catalog.js';
import {
  runMaintenance,
  type MaintenanceOptions,
  type MaintenancePoint,
  type MaintenanceProgress,
  type MaintenanceResult,
} from '../maintenance/maintenance-run.js';
import { isLocalLocation } from '../lake/io/location.js';
import { acquireRunLock, RunLockHeldError } from '../maintenance/run-lock.js';
import { cronSchedule, intervalSchedule, type Schedule } from '../maintenance/schedule.js';
import { parseDurationMs, UsageError, type FlagValues } from './args.js';
import { existingWarehouseFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatTable } from './format-table.js';
import { ProgressLine } from './progress-line.js';

// Duration defaults live here: flag defaults are not parsed, and help should read "5d".
const DEFAULT_EXPIRE_OLDER_THAN_MS = 5 * 86_400_000;
/** Java's default too: far beyond any commit interval, so no in-flight file is taken. */
const DEFAULT_ORPHAN_OLDER_THAN_MS = 3 * 86_400_000;

/** Test-only: SIGKILLs this process at the named maintenance point (crash tests). */
const KILL_AT_ENV = 'LAKEGRAPH_TEST_KILL_AT';

/**
 * The lock only saves a host from running two compactions at once; correctness across
 * hosts rests on optimistic commits (a rewrite whose inputs another run replaced first is
 * dropped, expiry re-plans on conflict, orphans must be older than a safety age).
 */
function lockPathOf(catalog: Catalog): string {
  if (catalog instanceof FilesystemCatalog && isLocalLocation(catalog.warehouse)) return join(catalog.warehouse, '.compact.lock');
  // A REST catalog or an object store has no directory of ours to hold it.
  const uri = catalog instanceof RestCatalog ? catalog.uri : 'catalog';
  return join(tmpdir(), `lakegraph-compact-${createHash('sha256').update(uri).digest('hex').slice(0, 16)}.lock`);
}

function scheduleOf(every: string): Schedule {
  try {
    return intervalSchedule(parseDurationMs(every, '--every'), `every ${every}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
  }
  try {
    return cronSchedule(every);
  } catch (error) {
    throw new UsageError(`--every "${every}" is neither a duration (e.g. 15m) nor a cron expression (${(error as Error).message})`);
  }
}

function optionsOf(flags: FlagValues, onProgress: (p: MaintenanceProgress) => void): MaintenanceOptions {
  const targetMb = flags['target-file-mb'] as number;
  if (!(targetMb > 0)) throw new UsageError('--target-file-mb must be positive');
  const keepLast = flags['keep-snapshots'] as number;
  if (keepLast < 1) throw new UsageError('--keep-snapshots must be at least 1 (the current snapshot)');
  const killAt = process.env[KILL_AT_ENV] as MaintenancePoint | undefined;
  return {
    targetFileBytes: Math.round(targetMb * 1024 * 1024),
    snapshotRetention: { olderThanMs: (flags['expire-older-than'] as number | undefined) ?? DEFAULT_EXPIRE_OLDER_THAN_MS, keepLast },
    orphanOlderThanMs: (flags['orphan-older-than'] as number | undefined) ?? DEFAULT_ORPHAN_OLDER_THAN_MS,
    ttlMs: flags['ttl'] as number | undefined,
    dryRun: flags['dry-run'] === true,
    onProgress,
    onPoint: killAt === undefined ? undefined : (point) => point === killAt && process.kill(process.pid, 'SIGKILL'),
  };
}

export function formatBytes(bytes: bigint): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function summaryRows(result: MaintenanceResult): Record<string, string>[] {
  return result.tables.map(({ table, rewrite, manifestsBefore, manifestsAfter, expiry, orphans }) => ({
    table,
    'data files': rewrite.conflicted ? `${rewrite.before.files} (rewritten meanwhile by another writer; next run)` : `${rewrite.before.files} → ${rewrite.after.files}`,
    bytes: result.dryRun ? formatBytes(rewrite.before.bytes) : `${formatBytes(rewrite.before.bytes)} → ${formatBytes(rewrite.after.bytes)}`,
    'rows merged': String(rewrite.rowsMerged),
    'rows past TTL': String(rewrite.rowsExpired),
    manifests: `${manifestsBefore} → ${manifestsAfter}`,
    'snapshots expired': `${expiry.snapshotsExpired} of ${expiry.snapshotsBefore}`,
    'orphans removed': `${orphans.orphans} (${formatBytes(orphans.bytes)})`,
  }));
}

function jsonOf(result: MaintenanceResult): string {
  return stringifyJson(result);
}

function printResult(result: MaintenanceResult, json: boolean): void {
  if (json) {
    process.stdout.write(jsonOf(result) + '\n');
    return;
  }
  const heading = result.dryRun ? 'Dry run: nothing was changed; this is what a run would do.' : 'Maintenance done.';
  const missing = result.missingTables.length > 0 ? `\nNot yet created, skipped: ${result.missingTables.join(', ')}` : '';
  process.stdout.write(`${heading}\n${formatTable(summaryRows(result))}${missing}\nTook ${(result.durationMs / 1000).toFixed(1)} s.\n`);
}

function progressText(p: MaintenanceProgress): string {
  const steps = { rewrite: 'merging small files', manifests: 'rewriting manifests', expire: 'expiring snapshots', orphans: 'removing orphan files' };
  const bar = p.total ? ` [${'#'.repeat(Math.round((20 * (p.done ?? 0)) / p.total)).padEnd(20, '.')}] ${p.done}/${p.total} bins` : '';
  return `compact graph.${p.table}: ${steps[p.step]}${bar}`;
}

/** One locked run; undefined when another process holds the lock. */
async function runOnce(catalog: Catalog, flags: FlagValues): Promise<MaintenanceResult | undefined> {
  const progress = new ProgressLine();
  const options = optionsOf(flags, (p) => progress.update(progressText(p)));
  let lock;
  try {
    lock = await acquireRunLock(lockPathOf(catalog));
  } catch (error) {
    if (!(error instanceof RunLockHeldError)) throw error;
    process.stderr.write(`lakegraph compact: ${error.message}; not running\n`);
    return undefined;
  }
  try {
    if (lock.tookOverStale) process.stderr.write(`lakegraph compact: took over ${lock.path} from a run that died; finishing its work\n`);
    const result = await runMaintenance(catalog, options);
    progress.done(`compact: ${result.dryRun ? 'dry run ' : ''}finished in ${(result.durationMs / 1000).toFixed(1)} s`);
    printResult(result, flags['json'] === true);
    return result;
  } finally {
    await lock.release();
  }
}

async function runScheduled(catalog: Catalog, flags: FlagValues, schedule: Schedule): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`lakegraph compact: running ${schedule.description}; stop with Ctrl-C or SIGTERM\n`);
  try {
    while (!stop.signal.aborted) {
      const start = new Date();
      await runOnce(catalog, flags);
      const next = schedule.nextAfter(start);
      if (stop.signal.aborted) break;
      process.stderr.write(`lakegraph compact: next run at ${next.toISOString()}\n`);
      await sleep(Math.max(0, next.getTime() - Date.now()), undefined, { signal: stop.signal }).catch(() => {});
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

export const compactCommand: Command = {
  name: 'compact',
  summary: 'Compact the graph tables (merge small files and rows, rewrite manifests), expire snapshots, remove orphan files, apply the TTL.',
  usage:
    'lakegraph compact [--every CRON|DURATION] [--target-file-mb N] [--expire-older-than D] [--keep-snapshots N] [--orphan-older-than D] [--ttl D] [--dry-run] [--json] [--warehouse DIR | --catalog-uri URL]',
  flags: [
    { name: 'every', kind: 'string', placeholder: 'CRON|DURATION', help: 'keep running: every DURATION (e.g. 15m) or on a cron expression (e.g. "0 * * * *")' },
    { name: 'target-file-mb', kind: 'number', placeholder: 'N', default: 128, help: 'size the merged data files aim for' },
    { name: 'expire-older-than', kind: 'duration', placeholder: 'D', help: 'expire snapshots older than this (default 5d)' },
    { name: 'keep-snapshots', kind: 'int', placeholder: 'N', default: 10, help: 'always keep the newest N snapshots' },
    { name: 'orphan-older-than', kind: 'duration', placeholder: 'D', help: 'delete unreferenced files only past this age, as a writer may still commit younger ones (default 3d)' },
    { name: 'ttl', kind: 'duration', placeholder: 'D', help: 'drop graph rows whose last_seen (rejected_at) is older than this' },
    { name: 'dry-run', kind: 'boolean', help: 'say what a run would do, change nothing' },
    { name: 'json', kind: 'boolean', help: 'print the summary as one JSON object' },
    ...WAREHOUSE_FLAGS,
  ],
  async run(flags) {
    const catalog = await existingWarehouseFromFlags(flags);
    const every = flags['every'] as string | undefined;
    if (every !== undefined) return runScheduled(catalog, flags, scheduleOf(every));
    return (await runOnce(catalog, flags)) === undefined ? 1 : 0;
  },
};
