import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppEvent, Device } from '../../src/events/contracts.js';
import { decodeEvent } from '../../src/events/decode.js';
import { devicePropsJson } from '../../src/graph/device-props.js';
import { mapEvent } from '../../src/graph/map-event.js';
import { EDGE_ENDPOINTS, EDGE_TYPES, NODE_TYPES } from '../../src/graph/model.js';
import type { GraphSink } from '../../src/graph/sink.js';

/** Observations as readable strings, e.g. `edge watched p→t @5`, `node device d @5 {…}`. */
function observationsOf(topic: string, fields: Record<string, unknown>): string[] {
  const decoded = decodeEvent(topic, new TextEncoder().encode(JSON.stringify(fields)));
  if (!decoded.ok) assert.fail(decoded.reason);
  const seen: string[] = [];
  const sink: GraphSink = {
    node: (type, id, ts, device: Device | null) => seen.push(`node ${type} ${id} @${ts}${device ? ' ' + devicePropsJson(device) : ''}`),
    edge: (type, src, dst, ts) => seen.push(`edge ${type} ${src}→${dst} @${ts}`),
  };
  mapEvent(decoded.event as AppEvent, sink);
  return seen.sort();
}

const envelope = { event_id: 'e', ts: 5, account_id: 'a', profile_id: 'p', device_id: 'd' };
const profileObservations = ['node account a @5', 'node device d @5', 'node profile p @5', 'edge has_profile a→p @5', 'edge used_device p→d @5'];
const expect = (...extra: string[]) => [...profileObservations, ...extra].sort();

describe('mapEvent: docs/CONTRACTS.md §2 row by row', () => {
  it('has_profile + used_device from any event with a profile_id (app_open)', () => {
    assert.deepEqual(observationsOf('app.session', { ...envelope, event_type: 'app_open' }), expect());
  });

  it('no profile edges without a profile_id; logout makes only nodes', () => {
    const { profile_id: _, ...noProfile } = envelope;
    assert.deepEqual(observationsOf('app.session', { ...noProfile, event_type: 'logout' }), ['node account a @5', 'node device d @5']);
  });

  it('logged_in_from: account → device on app.session login', () => {
    const { profile_id: _, ...noProfile } = envelope;
    assert.deepEqual(observationsOf('app.session', { ...noProfile, event_type: 'login' }), [
      'edge logged_in_from a→d @5', 'node account a @5', 'node device d @5',
    ]);
  });

  it('watched: profile → title on every app.playback type', () => {
    for (const type of ['play_start', 'play_heartbeat', 'play_pause', 'play_stop']) {
      assert.deepEqual(observationsOf('app.playback', { ...envelope, event_type: type, title_id: 't' }), expect('node title t @5', 'edge watched p→t @5'));
    }
  });

  it('played: profile → game on app.games', () => {
    for (const type of ['game_start', 'game_heartbeat', 'game_end']) {
      assert.deepEqual(observationsOf('app.games', { ...envelope, event_type: type, game_id: 'g' }), expect('node game g @5', 'edge played p→g @5'));
    }
  });

  it('saw_ad on ad_impression, clicked_ad on ad_click; in_campaign only with a campaign_id', () => {
    assert.deepEqual(observationsOf('app.ads', { ...envelope, event_type: 'ad_impression', ad_id: 'x' }), expect('node ad x @5', 'edge saw_ad p→x @5'));
    assert.deepEqual(
      observationsOf('app.ads', { ...envelope, event_type: 'ad_click', ad_id: 'x', campaign_id: 'c' }),
      expect('node ad x @5', 'edge clicked_ad p→x @5', 'node campaign c @5', 'edge in_campaign x→c @5'),
    );
  });

  it('attended: profile → live_event on app.live', () => {
    for (const type of ['live_join', 'live_heartbeat', 'live_leave']) {
      assert.deepEqual(observationsOf('app.live', { ...envelope, event_type: type, live_event_id: 'l' }), expect('node live_event l @5', 'edge attended p→l @5'));
    }
  });

  it('the device node carries the device object as props, in canonical key order', () => {
    const seen = observationsOf('app.session', { ...envelope, event_type: 'app_open', device: { os: 'ios', model: 'X', type: 'mobile' } });
    assert.ok(seen.includes('node device d @5 {"type":"mobile","os":"ios","model":"X"}'), seen.join('\n'));
  });

  it('edge endpoints cover every edge type with known node types', () => {
    for (const type of EDGE_TYPES) {
      assert.ok(NODE_TYPES.includes(EDGE_ENDPOINTS[type].src) && NODE_TYPES.includes(EDGE_ENDPOINTS[type].dst));
    }
  });
});
