/**
 * The zod contracts of docs/CONTRACTS.md §1: the envelope every topic shares plus each topic's own
 * fields. Error messages are written here, next to the rule they describe, because
 * decode turns them verbatim into `invalid_field: <path>: <message>` reasons.
 */
import { z } from 'zod';
import { EVENT_TYPES_BY_TOPIC, type Topic } from './topics.js';

/** JS Date range: ts must survive conversion to a timestamp. */
const MAX_ABS_EPOCH_MS = 8.64e15;
export const TS_RULE = 'expected epoch ms integer or ISO-8601 with offset';
const ID_RULE = 'expected 1-128 chars';

function missingOr(otherwise: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : otherwise);
}

const id = z.string({ error: missingOr('expected string') }).min(1, ID_RULE).max(128, ID_RULE);

const eventTime = z
  .union(
    [
      z.number().int().min(-MAX_ABS_EPOCH_MS).max(MAX_ABS_EPOCH_MS),
      z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
    ],
    { error: missingOr(TS_RULE) },
  );

const deviceText = z.string({ error: missingOr('expected string') }).optional();

/** Becomes the device node's props; fields are free-form strings. */
const device = z.object(
  { type: deviceText, os: deviceText, model: deviceText, app_version: deviceText },
  { error: missingOr('expected object') },
);
export type Device = z.output<typeof device>;

function envelope<const T extends Topic>(topic: T) {
  return {
    event_id: id,
    // Any message works here: decode reports a wrong string as unknown_event_type.
    event_type: z.enum(EVENT_TYPES_BY_TOPIC[topic], { error: missingOr('expected string') }),
    ts: eventTime,
    account_id: id,
    profile_id: id,
    device_id: id,
    device: device.optional(),
  };
}

export const sessionEvent = z.object({ ...envelope('app.session'), profile_id: id.optional() });
export const playbackEvent = z.object({
  ...envelope('app.playback'),
  title_id: id,
  position_ms: z
    .number({ error: missingOr('expected integer >= 0') })
    .int('expected integer >= 0')
    .min(0, 'expected integer >= 0')
    .optional(),
});
export const adEvent = z.object({ ...envelope('app.ads'), ad_id: id, campaign_id: id.optional() });
export const gameEvent = z.object({ ...envelope('app.games'), game_id: id });
export const liveEvent = z.object({ ...envelope('app.live'), live_event_id: id });

export type SessionEvent = z.output<typeof sessionEvent>;
export type PlaybackEvent = z.output<typeof playbackEvent>;
export type AdEvent = z.output<typeof adEvent>;
export type GameEvent = z.output<typeof gameEvent>;
export type LiveEvent = z.output<typeof liveEvent>;
/** An accepted event, `ts` normalised to epoch ms. `event_type` tells the topic apart. */
export type AppEvent = SessionEvent | PlaybackEvent | AdEvent | GameEvent | LiveEvent;

export const CONTRACT_BY_TOPIC: { readonly [T in Topic]: z.ZodType<AppEvent> } = {
  'app.session': sessionEvent,
  'app.playback': playbackEvent,
  'app.ads': adEvent,
  'app.games': gameEvent,
  'app.live': liveEvent,
};
