/**
 * member-activity answers for a fixed list of accounts, each answer as its edges' JSON texts sorted,
 * so what serve answers over HTTP, what `lakegraph query --json` prints and what a session of the
 * test's own answers compare whole, whatever order each returns edges in.
 */
import assert from 'node:assert/strict';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { parseGraphRequest } from '../../src/query/graph-request.js';
import { QuerySession, type HotTailOptions } from '../../src/query/query-session.js';

/** Where a member-activity question looks: `at` and `since` as the HTTP/CLI options spell them. */
export interface ActivityWindow {
  readonly at: string;
  readonly since: string;
}

export const sortedEdgeTexts = (edges: readonly unknown[]): string[] => edges.map((e) => JSON.stringify(e)).sort();

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
