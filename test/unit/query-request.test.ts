import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGraphRequest } from '../../src/query/graph-request.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function issues(result: ReturnType<typeof parseGraphRequest>): string {
  assert.equal(result.ok, false);
  return (result as { issues: readonly string[] }).issues.join('; ');
}

test('member-activity defaults to a five-minute window before now', () => {
  const r = parseGraphRequest('member-activity', { account: 'a-1' }, NOW);
  assert.deepEqual(r, { ok: true, request: { query: 'member-activity', member: { kind: 'account', id: 'a-1' }, since: NOW - 300_000 } });
});

test('--at moves the reference time; ISO and epoch ms agree', () => {
  const iso = parseGraphRequest('neighbors', { node: 'device:d-1', since: '90s', at: '2026-01-02T00:00:00Z' }, NOW);
  const ms = parseGraphRequest('neighbors', { node: 'device:d-1', since: '90s', at: String(Date.parse('2026-01-02T00:00:00Z')) }, NOW);
  assert.deepEqual(iso, ms);
  assert.equal(iso.ok && iso.request.since, Date.parse('2026-01-02T00:00:00Z') - 90_000);
});

test('node ids keep everything after the first colon, quotes and SQL included', () => {
  const id = "x:'; DROP TABLE edges; --";
  const r = parseGraphRequest('khop', { node: `profile:${id}`, hops: '2' }, NOW);
  assert.ok(r.ok && r.request.query === 'khop');
  assert.deepEqual(r.request.node, { type: 'profile', id });
  assert.equal(r.request.since, -Infinity);
});

test('abuse is refused with a reason naming the option', () => {
  assert.match(issues(parseGraphRequest('khop', { node: 'account:a', hops: '1000000' }, NOW)), /^hops: /);
  assert.match(issues(parseGraphRequest('khop', { node: 'account:a', hops: '2; DROP' }, NOW)), /hops: must be a whole number/);
  assert.match(issues(parseGraphRequest('neighbors', { node: 'planet:earth' }, NOW)), /node: .*TYPE one of account/);
  assert.match(issues(parseGraphRequest('neighbors', { node: 'account:a', 'edge-type': 'likes' }, NOW)), /edge-type/);
  assert.match(issues(parseGraphRequest('member-activity', { account: 'a', profile: 'p' }, NOW)), /exactly one of account or profile/);
  assert.match(issues(parseGraphRequest('member-activity', { account: 'a'.repeat(129) }, NOW)), /account: must be at most 128/);
  assert.match(issues(parseGraphRequest('member-activity', { account: 'a', since: 'yesterday' }, NOW)), /since: .*not a duration/);
  assert.match(issues(parseGraphRequest('path', { from: 'account:a', to: 'account:b', 'max-hops': '7' }, NOW)), /max-hops/);
  assert.match(issues(parseGraphRequest('path', { from: 'account:a', to: 'account:b', extra: '1' }, NOW)), /extra/);
});
