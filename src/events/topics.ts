/** The Kafka topics of docs/CONTRACTS.md §1 and the `event_type` values each one carries. */

export const EVENT_TYPES_BY_TOPIC = {
  'app.session': ['login', 'logout', 'app_open'],
  'app.playback': ['play_start', 'play_heartbeat', 'play_pause', 'play_stop'],
  'app.ads': ['ad_impression', 'ad_click'],
  'app.games': ['game_start', 'game_heartbeat', 'game_end'],
  'app.live': ['live_join', 'live_heartbeat', 'live_leave'],
} as const;

export type Topic = keyof typeof EVENT_TYPES_BY_TOPIC;
export type EventTypeOf<T extends Topic> = (typeof EVENT_TYPES_BY_TOPIC)[T][number];

export const TOPICS = Object.keys(EVENT_TYPES_BY_TOPIC) as readonly Topic[];

export function isTopic(name: string): name is Topic {
  return Object.hasOwn(EVENT_TYPES_BY_TOPIC, name);
}
