/**
 * Every `sql/` file run in the real DuckDB CLI over a `lakegraph duckdb-init` script, with
 * its variables set for one member of the lake (CONTRACTS §4, docs/QUERIES.md).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DUCKDB_CLI, REPO_ROOT } from './services.js';

const ALL_TIME = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

/** The `SET VARIABLE`s of each sql/ file, for `account` and one of its profiles, windows ending at `newest` (epoch ms). */
export function sqlLibraryVariables(account: { src_id: string; dst_id: string }, newest: number): Record<string, string> {
  return {
    member_activity: `SET VARIABLE account_id = '${account.src_id}'; SET VARIABLE since = TIMESTAMPTZ '${new Date(newest - 86_400_000).toISOString()}';`,
    neighbors: `SET VARIABLE node_type = 'profile'; SET VARIABLE node_id = '${account.dst_id}'; SET VARIABLE since = ${ALL_TIME};`,
    khop: `SET VARIABLE node_type = 'account'; SET VARIABLE node_id = '${account.src_id}'; SET VARIABLE hops = 3; SET VARIABLE fanout = 50; SET VARIABLE since = ${ALL_TIME};`,
    path: `SET VARIABLE from_type = 'account'; SET VARIABLE from_id = '${account.src_id}'; SET VARIABLE to_type = 'profile'; SET VARIABLE to_id = '${account.dst_id}'; SET VARIABLE max_hops = 3; SET VARIABLE since = ${ALL_TIME};`,
    top_titles: 'SET VARIABLE top_n = 5;',
    top_devices: 'SET VARIABLE top_n = 5;',
    busiest_member: `SET VARIABLE since = ${ALL_TIME};`,
    device_timeline: `SET VARIABLE account_id = '${account.src_id}';`,
    device_props: '',
    graph_growth: 'SET VARIABLE bucket = INTERVAL 1 MINUTE;',
    commits_per_minute: 'SET VARIABLE bucket = INTERVAL 1 MINUTE;',
    degree_distribution: '',
    dedup_by_topic: '',
    rejected_by_reason: '',
    snapshot_log: '',
    files_by_partition: '',
    compaction_effect: '',
  };
}

/** The rows sql/<name>.sql gives in the DuckDB CLI started with `initFile`; `env` reaches the lake's store. */
export function cliRows(initFile: string, name: string, variables: Record<string, string>, env: Readonly<Record<string, string>> = {}): Array<Record<string, unknown>> {
  const setup = variables[name] ? ['-cmd', variables[name]!] : [];
  const out = execFileSync(DUCKDB_CLI, ['-json', '-init', initFile, ...setup, '-c', `.read ${join(REPO_ROOT, 'sql', `${name}.sql`)}`], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    // The CLI's errors go into the thrown error's message rather than onto the test's output.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The init script's CREATE SECRET prints its `Success` box before -json applies.
  const json = out.split('\n').filter((line) => !/^[┌│├└]/.test(line)).join('\n');
  return JSON.parse(json.trim() || '[]') as Array<Record<string, unknown>>;
}

/** Every sql/ file has variables here and returns rows, but those in `emptyHere` (which must return none). */
export function assertEverySqlFileRuns(initFile: string, variables: Record<string, string>, emptyHere: ReadonlySet<string>, env: Readonly<Record<string, string>> = {}): void {
  const files = readdirSync(join(REPO_ROOT, 'sql')).filter((f) => f.endsWith('.sql'));
  assert.deepEqual(files.map((f) => f.replace(/\.sql$/, '')).sort(), Object.keys(variables).sort(), 'every sql/ file has a CLI case');
  for (const name of Object.keys(variables)) {
    const rows = cliRows(initFile, name, variables, env);
    assert.equal(rows.length > 0, !emptyHere.has(name), `${name} returned ${emptyHere.has(name) ? 'no ' : ''}rows in the DuckDB CLI`);
  }
}

/** member_activity's rows as (edge_type, src_id, dst_id, event_count), to set beside a session's answer. */
export function activityKeys(rows: ReadonlyArray<Record<string, unknown>>): unknown[][] {
  return rows.map((r) => [r['edge_type'], r['src_id'], r['dst_id'], Number(r['event_count'])]);
}
