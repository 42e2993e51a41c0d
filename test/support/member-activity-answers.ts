/**
 * member-activity answers for a fixed list of accounts, each answer as its edges' JSON texts sorted,
 * so what serve answers over HTTP, what `lakegraph query --json` prints and what a session of the
 * test's own answers compare whole, whatever order each returns edges in.
 */
import assert from 'node:assert/strict';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { parseGraphRequest } from '../../src/query/graph-request.js';
import type { GraphEdge } from '../../src/query/graph-result.js';
import { QuerySession, type HotTailOptions } from '../../src/query/query-session.js';
import { oracleMemberActivity, type OracleResult } from './oracle.js';

/** Where a member-activity question looks: `at` and `since` as the HTTP/CLI options spell them. */
export interface ActivityWindow {
  readonly at: string;
  readonly since: string;
}

export const sortedEdgeTexts = (edges: readonly unknown[]): string[] => edges.map((e) => JSON.stringify(e)).sort();

/** An answer's edges as sorted lines `type src dst first_seen last_seen count`, the times as answers print them (ISO-8601). */
export const activityLines = (edges: readonly GraphEdge[]): string[] =>
  edges.map((e) => `${e.edge_type} ${e.src_id} ${e.dst_id} ${e.first_seen} ${e.last_seen} ${e.event_count}`).sort();

/** The oracle's member activity of `account` since `since` (epoch ms), as activityLines of the answer that equals it. */
export const oracleActivityLines = (truth: OracleResult, account: string, since: number): string[] =>
  activityLines(oracleMemberActivity(truth, { account }, since).map((e) => ({ ...e, first_seen: new Date(e.first_seen).toISOString(), last_seen: new Date(e.last_seen).toISOString() })));

/** What a session of the test's own answers for each account: the warehouse's snapshot, ∪ the whole tail when `hot` is given. */
export async function sessionMemberActivity(warehouse: string, accounts: readonly string[], window: ActivityWindow, hot?: HotTailOptions): Promise<string[][]> {
  const session = await QuerySession.open({ catalog: new FilesystemCatalog(warehouse), hot });
  try {
    await session.catchUp(60_000);
    return await Promise.all(accounts.map(async (account) => {
      const parsed = parseGraphRequest('member-activity', { account, ...window }, Date.now());
      assert.ok(parsed.ok);
      return sortedEdgeTexts((await session.graphQuery(parsed.request)).edges);
    }));
  } finally {
    await session.close();
  }
}

/** What serve at `url` answers for each account; every answer must be 200. */
export function serveMemberActivity(url: string, accounts: readonly string[], window: ActivityWindow): Promise<string[][]> {
  return Promise.all(accounts.map(async (account) => {
    const response = await fetch(`${url}/v1/query/member-activity?${new URLSearchParams({ account, ...window })}`);
    assert.equal(response.status, 200, `member-activity of ${account}: ${response.status}`);
    return sortedEdgeTexts(((await response.json()) as { edges: unknown[] }).edges);
  }));
}
