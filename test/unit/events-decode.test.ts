import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEvent } from '../../src/events/decode.js';
import { MAX_EVENT_BYTES, rejectionKindOf } from '../../src/events/rejection.js';

const utf8 = new TextEncoder();
const bytes = (value: unknown) => utf8.encode(typeof value === 'string' ? value : JSON.stringify(value));

const playback = {
  event_id: 'e-81f2', event_type: 'play_heartbeat', ts: 1764150000123, account_id: 'a-17',
  profile_id: 'p-17-2', device_id: 'd-tv-9', title_id: 't-stranger-things-s1e1', position_ms: 600000,
};

function reasonOf(topic: string, value: Uint8Array | null): string {
  const result = decodeEvent(topic, value);
  assert.equal(result.ok, false, `expected a rejection, got ${JSON.stringify(result)}`);
  return (result as { reason: string }).reason;
}

function eventOf(topic: string, value: unknown) {
  const result = decodeEvent(topic, bytes(value));
  if (!result.ok) assert.fail(result.reason);
  return result.event;
}

describe('decodeEvent accepts contract events', () => {
  it('decodes the example of docs/CONTRACTS.md §1 unchanged', () => {
    assert.deepEqual(eventOf('app.playback', playback), playback);
  });

  it('normalises ISO-8601 ts with an offset to epoch ms', () => {
    assert.equal(eventOf('app.playback', { ...playback, ts: '2025-11-26T10:00:00.123Z' }).ts, Date.UTC(2025, 10, 26, 10, 0, 0, 123));
    assert.equal(eventOf('app.playback', { ...playback, ts: '2025-11-26T12:00:00+02:00' }).ts, Date.UTC(2025, 10, 26, 10));
  });

  it('ignores unknown fields, drops them from the event', () => {
    assert.deepEqual(eventOf('app.playback', { ...playback, extra: { nested: true } }), playback);
  });

  it('lets app.session omit profile_id, and keeps the device object', () => {
    const login = { event_id: 'e1', event_type: 'login', ts: 1, account_id: 'a', device_id: 'd', device: { os: 'ios', type: 'mobile' } };
    assert.deepEqual(eventOf('app.session', login), login);
  });

  it('accepts every topic with its own required field', () => {
    const envelope = { event_id: 'e', ts: 5, account_id: 'a', profile_id: 'p', device_id: 'd' };
    eventOf('app.ads', { ...envelope, event_type: 'ad_click', ad_id: 'ad', campaign_id: 'c' });
    eventOf('app.games', { ...envelope, event_type: 'game_end', game_id: 'g' });
    eventOf('app.live', { ...envelope, event_type: 'live_join', live_event_id: 'l' });
  });
});

describe('decodeEvent rejects with a precise reason', () => {
  const cases: Array<[name: string, topic: string, value: Uint8Array | null, reason: string]> = [
    ['unknown topic', 'app.music', bytes(playback), 'unknown_topic: "app.music"'],
    ['tombstone', 'app.playback', null, 'not_json: null value (tombstone)'],
    ['invalid UTF-8', 'app.playback', Uint8Array.of(0x7b, 0xff, 0x7d), 'not_json: invalid UTF-8'],
    ['array', 'app.playback', bytes([playback]), 'not_object: array'],
    ['string', 'app.playback', bytes('"hello"'), 'not_object: string'],
    ['number', 'app.playback', bytes('42'), 'not_object: number'],
    ['null', 'app.playback', bytes('null'), 'not_object: null'],
    ['unknown event_type', 'app.ads', bytes({ ...playback, event_type: 'foo' }), 'unknown_event_type: "foo" for app.ads'],
    ['event_type of another topic', 'app.playback', bytes({ ...playback, event_type: 'login' }), 'unknown_event_type: "login" for app.playback'],
    ['event_type not a string', 'app.playback', bytes({ ...playback, event_type: 3 }), 'invalid_field: event_type: expected string'],
    ['missing event_type', 'app.playback', bytes({ ...playback, event_type: undefined }), 'invalid_field: event_type: required'],
    ['missing profile_id', 'app.playback', bytes({ ...playback, profile_id: undefined }), 'invalid_field: profile_id: required'],
    ['missing title_id', 'app.playback', bytes({ ...playback, title_id: undefined }), 'invalid_field: title_id: required'],
    ['missing ad_id', 'app.ads', bytes({ ...playback, event_type: 'ad_click', title_id: undefined }), 'invalid_field: ad_id: required'],
    ['id of wrong type', 'app.playback', bytes({ ...playback, event_id: 81 }), 'invalid_field: event_id: expected string'],
    ['null id', 'app.playback', bytes({ ...playback, device_id: null }), 'invalid_field: device_id: expected string'],
    ['empty id', 'app.playback', bytes({ ...playback, account_id: '' }), 'invalid_field: account_id: expected 1-128 chars'],
    ['long id', 'app.playback', bytes({ ...playback, account_id: 'x'.repeat(129) }), 'invalid_field: account_id: expected 1-128 chars'],
    ['missing ts', 'app.playback', bytes({ ...playback, ts: undefined }), 'invalid_field: ts: required'],
    ['fractional ts', 'app.playback', bytes({ ...playback, ts: 1.5 }), 'invalid_field: ts: expected epoch ms integer or ISO-8601 with offset'],
    ['ISO ts without offset', 'app.playback', bytes({ ...playback, ts: '2025-11-26T10:00:00' }), 'invalid_field: ts: expected epoch ms integer or ISO-8601 with offset'],
    ['ts not a date', 'app.playback', bytes({ ...playback, ts: 'yesterday' }), 'invalid_field: ts: expected epoch ms integer or ISO-8601 with offset'],
    ['negative position', 'app.playback', bytes({ ...playback, position_ms: -1 }), 'invalid_field: position_ms: expected integer >= 0'],
    ['device not an object', 'app.playback', bytes({ ...playback, device: 'tv' }), 'invalid_field: device: expected object'],
    ['device field not a string', 'app.playback', bytes({ ...playback, device: { os: 3 } }), 'invalid_field: device.os: expected string'],
  ];
  for (const [name, topic, value, reason] of cases) {
    it(name, () => assert.equal(reasonOf(topic, value), reason));
  }

  it('not JSON, with the parser detail', () => {
    assert.match(reasonOf('app.playback', bytes('{"event_id":')), /^not_json: .+/);
  });

  it('oversize is judged on the byte count before any parsing', () => {
    const huge = new Uint8Array(MAX_EVENT_BYTES + 1).fill(0x20);
    assert.equal(reasonOf('app.playback', huge), `oversize: ${MAX_EVENT_BYTES + 1} bytes > ${MAX_EVENT_BYTES}`);
    const padded = bytes({ ...playback, pad: 'x'.repeat(MAX_EVENT_BYTES - JSON.stringify(playback).length - 10) });
    assert.ok(padded.byteLength <= MAX_EVENT_BYTES);
    assert.equal(decodeEvent('app.playback', padded).ok, true);
  });

  it('an unknown event_type outranks other field errors', () => {
    assert.equal(reasonOf('app.ads', bytes({ event_type: 'foo' })), 'unknown_event_type: "foo" for app.ads');
  });

  it('every reason has a known kind prefix', () => {
    for (const [, topic, value] of cases) assert.doesNotThrow(() => rejectionKindOf(reasonOf(topic, value)));
  });
});
