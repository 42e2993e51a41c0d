/**
 * `lakegraph forget --account A [--dry-run]`: removes a member's rows from every graph
 * table and keeps its later records out (maintenance/forget/forget-account.ts).
 */
import { stringifyJson } from '../common/lossless-json.js';
import { forgetAccount, type ForgetProgress, type ForgetResult } from '../maintenance/forget/forget-account.js';
import { TABLE_NAMES } from '../lake/tables.js';
import { UsageError, type FlagValues } from './args.js';
import { existingWarehouseFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatTable } from './format-table.js';
import { ProgressLine } from './progress-line.js';

/** docs/CONTRACTS.md §1: an account id is 1–128 characters. */
const MAX_ACCOUNT_ID = 128;

function accountOf(flags: FlagValues): string {
  const account = flags['account'] as string | undefined;
  if (account === undefined || account.length === 0) throw new UsageError('--account ID is required (the account_id of the member to forget)');
  if (account.length > MAX_ACCOUNT_ID) throw new UsageError(`--account is ${account.length} characters; account ids are at most ${MAX_ACCOUNT_ID}`);
  return account;
}

function progressText({ table, step, done, total }: ForgetProgress): string {
  return step === 'reading' ? `forget: graph.${table}: read ${done} of ${total} candidate files` : `forget: graph.${table}: rewrote ${done} of ${total} files without the member`;
}

function printResult(result: ForgetResult): void {
  const rows = TABLE_NAMES.map((table) => {
    const purge = result.tables[table];
    return {
      table,
      'candidate files read': purge.candidates,
      'files holding the member': purge.affected.length,
      rows: String(purge.rowsRemoved),
      'files written': result.dryRun ? '' : purge.filesWritten,
    };
  });
  const heading = result.dryRun
    ? `Dry run: nothing was changed. Forgetting account ${result.account} would remove:`
    : `Forgot account ${result.account}${result.alreadyForgotten ? ' (already on the forgotten list; purged again)' : ''}. Removed:`;
  const profiles = `Profiles: ${result.profiles.length === 0 ? '(none found)' : result.profiles.join(', ')}`;
  const files = TABLE_NAMES.flatMap((table) => result.tables[table].affected.map((f) => `  graph.${table}: ${f.path} (${f.memberRows} of ${f.records} rows)`));
  const list = result.dryRun && files.length > 0 ? `\nFiles that would be rewritten without the member's rows:\n${files.join('\n')}` : '';
  const after = result.dryRun ? '' : '\nIngest and running services drop its records from now on (docs/MAINTENANCE.md, "Forgetting a member").';
  process.stdout.write(`${heading}\n${formatTable(rows)}\n${profiles}${list}${after}\nTook ${(result.durationMs / 1000).toFixed(1)} s.\n`);
}

export const forgetCommand: Command = {
  name: 'forget',
  summary: "Remove a member's account, profiles and their edges from every graph table (one overwrite commit per table) and keep the account's later records out.",
  usage: 'lakegraph forget --account ID [--dry-run] [--json] [--warehouse DIR | --catalog-uri URL]',
  flags: [
    { name: 'account', kind: 'string', placeholder: 'ID', help: 'the account_id of the member to forget' },
    { name: 'dry-run', kind: 'boolean', help: 'print the files and rows that would be removed, change nothing' },
    { name: 'json', kind: 'boolean', help: 'print the result as one JSON object' },
    ...WAREHOUSE_FLAGS,
  ],
  async run(flags) {
    const account = accountOf(flags);
    const catalog = await existingWarehouseFromFlags(flags);
    const progress = new ProgressLine();
    const result = await forgetAccount(catalog, account, { dryRun: flags['dry-run'] === true, onProgress: (p) => progress.update(progressText(p)) });
    progress.done(`forget: ${result.dryRun ? 'dry run ' : ''}finished in ${(result.durationMs / 1000).toFixed(1)} s`);
    if (flags['json'] === true) process.stdout.write(`${stringifyJson(result)}\n`);
    else printResult(result);
    return 0;
  },
};
