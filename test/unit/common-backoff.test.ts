import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, withRetries } from '../../src/common/backoff.js';

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the maximum, jittered below it', () => {
    const backoff = { baseMs: 10, maxMs: 100 };
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(backoff, a, () => 1)), [10, 20, 40, 80, 100, 100]);
    assert.equal(backoffDelayMs(backoff, 3, () => 0.5), 20);
  });

  it('retries retryable failures and returns the first success', async () => {
    const seen: number[] = [];
    const result = await withRetries(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Error('busy');
        return 'done';
      },
      { backoff: { baseMs: 1, maxMs: 1 }, retryable: () => true },
    );
    assert.equal(result, 'done');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('throws a failure that is not retryable at once, and the last one when attempts run out', async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(async () => { calls++; throw new Error('fatal'); }, { backoff: { baseMs: 1, maxMs: 1 }, retryable: () => false }),
      /fatal/,
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      withRetries(async (a) => { calls++; throw new Error(`busy ${a}`); }, { backoff: { baseMs: 1, maxMs: 1 }, retryable: () => true, maxAttempts: 4 }),
      /busy 4/,
    );
    assert.equal(calls, 4);
  });

  it('gives up before sleeping past the deadline', async () => {
    const started = Date.now();
    await assert.rejects(
      withRetries(async () => { throw new Error('down'); }, { backoff: { baseMs: 50, maxMs: 50 }, retryable: () => true, deadlineMs: 120 }),
      /down/,
    );
    assert.ok(Date.now() - started < 200);
  });

  it('stops waiting for the next attempt as soon as it is aborted', async () => {
    const stopping = new AbortController();
    let calls = 0;
    const started = Date.now();
    const retrying = withRetries(async () => { calls++; throw new Error('down'); }, { backoff: { baseMs: 60_000, maxMs: 60_000 }, retryable: () => true, signal: stopping.signal });
    setTimeout(() => stopping.abort(new Error('stopped')), 20);
    await assert.rejects(retrying, /stopped/);
    assert.equal(calls, 1);
    assert.ok(Date.now() - started < 1_000);
  });
});
