/**
 * `lakegraph forget --account A` (docs/MAINTENANCE.md, "Forgetting a member"):
 *
 * 1. add A to the tombstone list (lake/forgotten-accounts.ts), so from here on ingest and
 *    the query tail drop A's records, whenever they arrive or are replayed;
 * 2. purge each graph table of A's rows (purge-table.ts), edges first, since A's profiles
 *    are found from its `has_profile` edges; one `overwrite` commit per table, which also
 *    records the list's version so an ingest window read before the purge is not committed.
 *
 * Every step can be run again: a forget killed midway is finished by running it again.
 * A dry run counts what would go and changes nothing (the list included).
 */
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../lake/catalog/catalog.js';
import { readForgottenAccounts } from '../../lake/forgotten-accounts.js';
import { localReplicasOf } from '../../lake/io/local-replicas.js';
import { eq } from '../../lake/scan/filter.js';
import { Table } from '../../lake/table/table.js';
import { NAMESPACE, TABLE_NAMES, type TableName } from '../../lake/tables.js';
import { RowMerger } from '../row-merger.js';
import { memberRows, profilesQuery, type Member } from './member-rows.js';
import { mayMatchAny, purgeTable, type MemberRowsOf, type PurgeResult, type PurgeStep } from './purge-table.js';
import { addToForgotten } from './tombstone.js';

export interface ForgetOptions {
  readonly dryRun: boolean;
  /** Default `graph` (docs/CONTRACTS.md §3); tests use their own. */
  readonly namespace?: string;
  readonly onProgress?: (progress: ForgetProgress) => void;
  /** Test hook: reached after each plan of a table's purge, before its commit. */
  readonly beforeCommit?: (table: TableName, plan: number) => Promise<void>;
}

export interface ForgetProgress {
  readonly table: TableName;
  readonly step: PurgeStep;
  readonly done: number;
  readonly total: number;
}

export interface ForgetResult {
  readonly account: string;
  readonly dryRun: boolean;
  /** The account's profiles found in graph.edges. */
  readonly profiles: readonly string[];
  /** Whether the account was on the tombstone list before this run. */
  readonly alreadyForgotten: boolean;
  readonly tables: Readonly<Record<TableName, PurgeResult>>;
  readonly durationMs: number;
}

const PROFILE_SCHEMA = new arrow.Schema([new arrow.Field('dst_id', new arrow.Utf8())]);

/** The account's profiles among the edges table's live files (those whose bounds may hold the account as a source). */
function edgesOfMember(merger: RowMerger, table: Table, account: string, found: (member: Member) => void): MemberRowsOf {
  return async (metadata, live) => {
    const candidates = live.filter(mayMatchAny(metadata, [[eq('src_id', account)]]));
    let profiles: string[] = [];
    if (candidates.length > 0) {
      const local = await localReplicasOf(table.io).pathsOf(candidates.map((f) => f.filePath));
      const rows = await merger.toArrow(profilesQuery(local, account), PROFILE_SCHEMA);
      profiles = (rows.getChild('dst_id')?.toArray() ?? []).map(String);
    }
    const member = { account, profiles };
    found(member);
    return memberRows('edges', member);
  };
}

export async function forgetAccount(catalog: Catalog, account: string, options: ForgetOptions): Promise<ForgetResult> {
  const started = performance.now();
  const namespace = [options.namespace ?? NAMESPACE];
  const before = await readForgottenAccounts(catalog, namespace);
  const alreadyForgotten = before.accounts.has(account);
  const version = options.dryRun ? before.version : (await addToForgotten(catalog, namespace, account)).version;
  const merger = await RowMerger.open();
  let member: Member = { account, profiles: [] };
  const tables = {} as Record<TableName, PurgeResult>;
  try {
    for (const name of TABLE_NAMES) {
      const table = await Table.load(catalog, { namespace, name });
      const rowsOf: MemberRowsOf =
        name === 'edges' ? edgesOfMember(merger, table, account, (found) => (member = found)) : async () => memberRows(name, member);
      tables[name] = await purgeTable(table, merger, rowsOf, {
        dryRun: options.dryRun,
        forgottenVersion: version,
        onProgress: (step, done, total) => options.onProgress?.({ table: name, step, done, total }),
        beforeCommit: options.beforeCommit && ((plan) => options.beforeCommit!(name, plan)),
      });
    }
  } finally {
    await merger.close();
  }
  return { account, dryRun: options.dryRun, profiles: member.profiles, alreadyForgotten, tables, durationMs: performance.now() - started };
}
