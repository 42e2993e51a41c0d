/**
 * The common case of decoding, without zod: an event whose every field is plainly valid
 * (ts in epoch ms, ids within 1–128 chars) is accepted here with exactly the output the
 * zod contract would give. Anything else — an ISO ts, any doubtful field — returns
 * undefined and goes to the zod contract, which stays the single judge of rejections and
 * their reasons. A unit test checks both agree on every accepted event.
 */
import type { AppEvent } from './contracts.js';
import { EVENT_TYPES_BY_TOPIC, type Topic } from './topics.js';

const MAX_ABS_EPOCH_MS = 8.64e15;
const DEVICE_FIELDS = ['type', 'os', 'model', 'app_version'] as const;

interface TopicFields {
  readonly eventTypes: ReadonlySet<string>;
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly positionMs: boolean;
}

function fields(topic: Topic, required: string[], optional: string[] = [], positionMs = false): TopicFields {
  return { eventTypes: new Set(EVENT_TYPES_BY_TOPIC[topic]), required: ['event_id', 'account_id', 'device_id', ...required], optional, positionMs };
}

const FIELDS: { readonly [T in Topic]: TopicFields } = {
  'app.session': fields('app.session', [], ['profile_id']),
  'app.playback': fields('app.playback', ['profile_id', 'title_id'], [], true),
  'app.ads': fields('app.ads', ['profile_id', 'ad_id'], ['campaign_id']),
  'app.games': fields('app.games', ['profile_id', 'game_id']),
  'app.live': fields('app.live', ['profile_id', 'live_event_id']),
};

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128;
}

export function fastAccept(topic: Topic, input: Record<string, unknown>): AppEvent | undefined {
  const rules = FIELDS[topic];
  const eventType = input['event_type'];
  const ts = input['ts'];
  if (typeof eventType !== 'string' || !rules.eventTypes.has(eventType)) return undefined;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < -MAX_ABS_EPOCH_MS || ts > MAX_ABS_EPOCH_MS) return undefined;
  const event: Record<string, unknown> = { event_type: eventType, ts };
  for (const name of rules.required) {
    const value = input[name];
    if (!isId(value)) return undefined;
    event[name] = value;
  }
  for (const name of rules.optional) {
    const value = input[name];
    if (value === undefined) continue;
    if (!isId(value)) return undefined;
    event[name] = value;
  }
  if (rules.positionMs) {
    const position = input['position_ms'];
    if (position !== undefined) {
      if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) return undefined;
      event['position_ms'] = position;
    }
  }
  const device = input['device'];
  if (device !== undefined) {
    if (typeof device !== 'object' || device === null || Array.isArray(device)) return undefined;
    const props: Record<string, string> = {};
    for (const name of DEVICE_FIELDS) {
      const value = (device as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (typeof value !== 'string') return undefined;
      props[name] = value;
    }
    event['device'] = props;
  }
  return event as unknown as AppEvent;
}
