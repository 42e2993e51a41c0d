/**
 * The zod-free fast path must accept only what the zod contract accepts, with the very
 * same output — checked on every generated record of every topic (valid, duplicate and
 * bad ones alike) and on hand-made edge cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTRACT_BY_TOPIC } from '../../src/events/contracts.js';
import { fastAccept } from '../../src/events/fast-accept.js';
import { TOPICS, type Topic } from '../../src/events/topics.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';

function agree(topic: Topic, input: unknown): 'fast' | 'zod-only' | 'rejected' {
  const zod = CONTRACT_BY_TOPIC[topic].safeParse(input);
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  const fast = isObject ? fastAccept(topic, input as Record<string, unknown>) : undefined;
  if (fast !== undefined) {
    assert.ok(zod.success, `fast path accepted what zod rejects: ${JSON.stringify(input)}`);
    assert.deepStrictEqual(fast, zod.data, `outputs differ for ${JSON.stringify(input)}`);
    return 'fast';
  }
  return zod.success ? 'zod-only' : 'rejected';
}

test('fast path and zod agree on every generated record', () => {
  const seen = { fast: 0, 'zod-only': 0, rejected: 0 };
  const text = new TextDecoder();
  for (const record of new RecordGenerator({ events: 40_000, seed: 5, badRatio: 0.05, maxOversize: 0 })) {
    let json: unknown;
    try {
      json = JSON.parse(text.decode(record.value!));
    } catch {
      continue;
    }
    seen[agree(record.topic as Topic, json)]++;
  }
  assert.ok(seen.fast > 30_000, `most events take the fast path: ${JSON.stringify(seen)}`);
  assert.ok(seen['zod-only'] > 0, 'ISO timestamps still go through zod');
  assert.ok(seen.rejected > 0);
});

test('fast path and zod agree on edge cases', () => {
  const base = { event_id: 'e', event_type: 'play_start', ts: 1, account_id: 'a', profile_id: 'p', device_id: 'd', title_id: 't' };
  const cases: unknown[] = [
    base,
    { ...base, extra: 1 },
    { ...base, ts: 1.5 },
    { ...base, ts: 9e15 },
    { ...base, ts: '2026-11-26T10:00:00+01:00' },
    { ...base, event_id: '' },
    { ...base, event_id: 'x'.repeat(128) },
    { ...base, event_id: 'x'.repeat(129) },
    { ...base, profile_id: undefined },
    { ...base, position_ms: 0 },
    { ...base, position_ms: -1 },
    { ...base, position_ms: null },
    { ...base, device: {} },
    { ...base, device: { type: 'tv', os: 'x', model: 'm', app_version: '1', color: 'red' } },
    { ...base, device: { type: 3 } },
    { ...base, device: null },
    { ...base, device: [] },
    { ...base, event_type: 'ad_click' },
    { ...base, title_id: 7 },
  ];
  for (const input of cases) agree('app.playback', input);
  for (const topic of TOPICS) agree(topic, { event_id: 'e', event_type: 'login', ts: 2, account_id: 'a', device_id: 'd' });
  assert.equal(agree('app.session', { event_id: 'e', event_type: 'login', ts: 2, account_id: 'a', device_id: 'd' }), 'fast');
  assert.equal(agree('app.ads', { ...base, event_type: 'ad_click', ad_id: 'x', campaign_id: 'c' }), 'fast');
});
