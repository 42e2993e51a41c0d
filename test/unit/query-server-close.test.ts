/**
 * The query service's life: it starts whatever query timeout it is given, and when stopping
 * (SIGTERM in a rolling restart) finishes the queries it accepted and takes no new ones.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { QueryServer } from '../../src/query/http/query-server.js';
import type { PastSessions } from '../../src/query/past-sessions.js';
import type { QuerySession } from '../../src/query/query-session.js';

/** Answers every query with no edges after `ms`; counts the interrupts it gets. */
function slowSession(ms: number): QuerySession & { interrupts: number } {
  const session = { interrupts: 0, graphQuery: () => sleep(ms).then(() => ({ edges: [] })), interrupt: () => session.interrupts++ };
  return session as unknown as QuerySession & { interrupts: number };
}

test('close lets a query under way finish, then refuses connections', async () => {
  const server = new QueryServer({ session: slowSession(400), port: 0 });
  const port = await server.listen();
  const answer = fetch(`http://127.0.0.1:${port}/v1/query/member-activity?account=a-1`);
  await sleep(100);
  const closeStarted = performance.now();
  await server.close();
  // Not held up to the query timeout by the client's keep-alive connection.
  assert.ok(performance.now() - closeStarted < 2_000, `close took ${performance.now() - closeStarted} ms`);
  const response = await answer;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { edges: [] });
  const refused = await new Promise<boolean>((resolve) => connect({ host: '127.0.0.1', port }).once('connect', () => resolve(false)).once('error', () => resolve(true)));
  assert.ok(refused);
});

test('a query timeout below the 10 s headers timeout starts, and a query past it is answered 503', async () => {
  // Node refuses a headers timeout above the request timeout (twice the query timeout): serve --query-timeout-ms 1000 failed at start.
  const server = new QueryServer({ session: slowSession(3_000), port: 0, queryTimeoutMs: 1_000 });
  const port = await server.listen();
  try {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/query/member-activity?account=a-1`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: 'query did not finish within 1000 ms' });
    assert.ok(performance.now() - started < 2_500, `answered after ${performance.now() - started} ms`);
  } finally {
    await server.close();
  }
});

test('an as_of query past the timeout is interrupted in the past session running it, not the live one', async () => {
  const live = slowSession(0);
  const pastSession = slowSession(3_000);
  const past = { sessionAt: async () => pastSession } as unknown as PastSessions;
  const server = new QueryServer({ session: live, past, port: 0, queryTimeoutMs: 500 });
  const port = await server.listen();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/query/member-activity?account=a-1&as_of=1700000000000`);
    assert.equal(response.status, 503);
    assert.deepEqual([pastSession.interrupts, live.interrupts], [1, 0]);
  } finally {
    await server.close();
  }
});
