/**
 * Copy-on-write removal of one member's rows from one table, as one `overwrite` commit:
 * the files that may hold the member (partition values and column bounds, member-rows.ts)
 * are counted in DuckDB; each file that does hold some is rewritten without them (or
 * dropped when nothing else is left), and the commit swaps old files for new. The commit
 * also records the tombstone list's version (lake/forgotten-accounts.ts), which fences
 * ingest windows read before the purge, and carries the Kafka offsets like any commit.
 *
 * Concurrent writers: the commit is tried once against the table it was planned on. When
 * another commit landed first (an ingest append that may hold new rows of the member, a
 * compaction that replaced files), the purge plans again from the new table, counting only
 * files it has not looked at yet and keeping the rewrites still valid, and retries. Should
 * the member itself have grown meanwhile (a new profile), everything is looked at again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as arrow from 'apache-arrow';
import { backoffDelayMs } from '../../common/backoff.js';
import { FORGOTTEN_VERSION_PROPERTY } from '../../lake/forgotten-accounts.js';
import { localReplicasOf } from '../../lake/io/local-replicas.js';
import { BoundFilter, type Filter } from '../../lake/scan/filter.js';
import { planFiles } from '../../lake/scan/plan-files.js';
import type { DataFile } from '../../lake/spec/data-file.js';
import { currentSchema, partitionSpecById, type TableMetadata } from '../../lake/spec/table-metadata.js';
import { ReplaceConflictError } from '../../lake/table/replace.js';
import { COMMIT_CONFLICT_RETRIES, CommitRetriesExhaustedError } from '../../lake/table/snapshot-transaction.js';
import type { Table } from '../../lake/table/table.js';
import { writeDataFiles } from '../../lake/table/write-data-files.js';
import { arrowSchemaOf } from '../../lake/tables.js';
import { parquetScan, sqlIdentifier, sqlString } from '../../query/snapshot-views.js';
import type { RowMerger } from '../row-merger.js';
import type { MemberRows } from './member-rows.js';

/** Plans in a row that lost to another commit before the purge gives up. */
const MAX_PLANS = 30;

export interface AffectedFile {
  readonly path: string;
  readonly records: bigint;
  /** The member's rows in it. */
  readonly memberRows: bigint;
}

export interface PurgeResult {
  /** Files whose bounds said they might hold the member, all read. */
  readonly candidates: number;
  /** Files that do hold member rows: rewritten without them, or dropped when only member rows were in them. */
  readonly affected: readonly AffectedFile[];
  readonly rowsRemoved: bigint;
  readonly filesWritten: number;
  /** Plans that lost to another writer's commit and were redone. */
  readonly replans: number;
}

export type PurgeStep = 'reading' | 'rewriting';

export interface PurgeOptions {
  readonly dryRun: boolean;
  /** The tombstone list version this purge brings the table up to. */
  readonly forgottenVersion: string;
  /** `reading`: candidate files counted so far; `rewriting`: files holding the member rewritten so far. */
  readonly onProgress?: (step: PurgeStep, done: number, total: number) => void;
  /** Test hook: reached after each plan, before its commit (a test commits to the table here to make the purge plan again). */
  readonly beforeCommit?: (plan: number) => Promise<void>;
}

interface Examined {
  readonly file: DataFile;
  readonly memberRows: bigint;
  /** The file's other rows, written (not in a dry run). */
  readonly replacement: readonly DataFile[];
}

const COUNT_SCHEMA = new arrow.Schema([new arrow.Field('filename', new arrow.Utf8()), new arrow.Field('n', new arrow.Int64())]);
/** Files counted per DuckDB statement. */
const COUNT_CHUNK = 200;

/** Whether a file may match any of the filters, by partition values and column bounds (each file's own partition spec). */
export function mayMatchAny(metadata: TableMetadata, alternatives: readonly Filter[]): (file: DataFile) => boolean {
  const schema = currentSchema(metadata);
  const bound = new Map<number, BoundFilter[]>();
  return (file) => {
    let filters = bound.get(file.specId);
    if (filters === undefined) {
      const spec = partitionSpecById(metadata, file.specId);
      bound.set(file.specId, (filters = alternatives.map((f) => new BoundFilter(f, schema, spec))));
    }
    return filters.some((f) => f.mayMatchFile(file));
  };
}

/** Member rows per file, for the files that have any. */
async function countMemberRows(merger: RowMerger, table: Table, files: readonly DataFile[], rows: MemberRows, onCounted: (n: number) => void): Promise<Map<string, bigint>> {
  const counts = new Map<string, bigint>();
  for (let start = 0; start < files.length; start += COUNT_CHUNK) {
    const chunk = files.slice(start, start + COUNT_CHUNK);
    const local = await localReplicasOf(table.io).pathsOf(chunk.map((f) => f.filePath));
    const byLocal = new Map(local.map((path, i) => [path, chunk[i]!.filePath]));
    const result = await merger.toArrow(
      `SELECT filename, count(*)::BIGINT AS n FROM read_parquet([${local.map(sqlString).join(', ')}], filename = true, union_by_name = true)
       WHERE ${rows.predicate} GROUP BY filename`,
      COUNT_SCHEMA,
    );
    const names = result.getChild('filename')!;
    const ns = result.getChild('n')!;
    for (let i = 0; i < result.numRows; i++) counts.set(byLocal.get(String(names.get(i)))!, BigInt(ns.get(i) as bigint));
    onCounted(chunk.length);
  }
  return counts;
}

/** The file's rows other than the member's, in the table's current schema (columns added since it was written read as null). */
async function keptRows(merger: RowMerger, table: Table, file: DataFile, rows: MemberRows): Promise<DataFile[]> {
  const schema = currentSchema(table.metadata);
  const [local] = await localReplicasOf(table.io).pathsOf([file.filePath]);
  const columns = schema.fields.map((f) => sqlIdentifier(f.name)).join(', ');
  const query = `SELECT ${columns} FROM ${parquetScan(schema.fields, [local!])} WHERE (${rows.predicate}) IS NOT TRUE`;
  return writeDataFiles(table, await merger.toArrow(query, arrowSchemaOf(schema)));
}

/** The member's rows as the table's live files tell them (edges: the profiles are found in the table itself). */
export type MemberRowsOf = (metadata: TableMetadata, live: readonly DataFile[]) => Promise<MemberRows>;

export async function purgeTable(table: Table, merger: RowMerger, rowsOf: MemberRowsOf, options: PurgeOptions): Promise<PurgeResult> {
  const examined = new Map<string, Examined | null>();
  const forget = async (path: string) => {
    const done = examined.get(path);
    examined.delete(path);
    if (done) await Promise.all(done.replacement.map((f) => table.io.delete(f.filePath)));
  };
  let candidates = 0;
  let previous: MemberRows | undefined;
  for (let plan = 1; ; plan++) {
    const metadata = await table.refresh();
    const live = (await planFiles(table.io, metadata)).files;
    const rows = await rowsOf(metadata, live);
    if (previous !== undefined && previous.predicate !== rows.predicate) for (const path of [...examined.keys()]) await forget(path);
    previous = rows;
    const livePaths = new Set(live.map((f) => f.filePath));
    // A file another commit removed meanwhile (compaction) needs no rewrite; its rows are in a new file, examined below.
    for (const path of [...examined.keys()]) if (!livePaths.has(path)) await forget(path);
    const mayHold = mayMatchAny(metadata, rows.filters);
    const fresh = live.filter((f) => !examined.has(f.filePath) && mayHold(f));
    candidates += fresh.length;
    let counted = 0;
    const counts = await countMemberRows(merger, table, fresh, rows, (n) => options.onProgress?.('reading', (counted += n), fresh.length));
    let rewritten = 0;
    for (const file of fresh) {
      const memberRows = counts.get(file.filePath) ?? 0n;
      if (memberRows === 0n) {
        examined.set(file.filePath, null);
        continue;
      }
      const replacement = options.dryRun || memberRows === file.recordCount ? [] : await keptRows(merger, table, file, rows);
      examined.set(file.filePath, { file, memberRows, replacement });
      if (!options.dryRun) options.onProgress?.('rewriting', ++rewritten, counts.size);
    }

    const affected = [...examined.values()].filter((e): e is Examined => e !== null);
    const result: PurgeResult = {
      candidates,
      affected: affected.map((e) => ({ path: e.file.filePath, records: e.file.recordCount, memberRows: e.memberRows })),
      rowsRemoved: affected.reduce((n, e) => n + e.memberRows, 0n),
      filesWritten: affected.reduce((n, e) => n + e.replacement.length, 0),
      replans: plan - 1,
    };
    if (options.dryRun) return result;
    await options.beforeCommit?.(plan);
    try {
      await table
        .newOverwrite()
        .deleteFiles(affected.map((e) => e.file))
        .addFiles(affected.flatMap((e) => e.replacement))
        .setProperties(() => ({ [FORGOTTEN_VERSION_PROPERTY]: options.forgottenVersion }))
        // Once only: a commit that lost must look at what the winner added, which a plain rebase would keep unread.
        .commit({ ...COMMIT_CONFLICT_RETRIES, maxAttempts: 1 });
      return result;
    } catch (error) {
      if (!(error instanceof CommitRetriesExhaustedError || error instanceof ReplaceConflictError)) throw error;
      if (plan >= MAX_PLANS) {
        throw new Error(`gave up purging ${table.id.name} after ${plan} plans, each overtaken by another writer's commit; run forget again`, { cause: error });
      }
      await sleep(backoffDelayMs(COMMIT_CONFLICT_RETRIES.backoff, plan));
    }
  }
}
