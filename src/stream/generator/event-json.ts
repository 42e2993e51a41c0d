/**
 * Writes a generated event as contract JSON by string templating (several times faster than
 * building an object and JSON.stringify-ing it). The draft is one mutable object the
 * generator refills per event, so writing allocates only the string.
 */
import type { Topic } from '../../events/topics.js';

export interface EventDraft {
  topic: Topic;
  eventId: string;
  eventType: string;
  ts: number;
  /** null: ts as epoch ms; otherwise as ISO-8601 at this UTC offset. */
  isoOffsetMinutes: number | null;
  accountId: string;
  profileId: string | null;
  deviceId: string;
  deviceJson: string | null;
  /** title_id / ad_id / game_id / live_event_id, by topic; null on app.session. */
  subjectId: string | null;
  campaignId: string | null;
  positionMs: number | null;
}

/** The field naming what a topic's event is about (what `subjectId` fills). */
export const SUBJECT_FIELD: { readonly [T in Topic]: string | null } = {
  'app.session': null,
  'app.playback': 'title_id',
  'app.ads': 'ad_id',
  'app.games': 'game_id',
  'app.live': 'live_event_id',
};

function isoWithOffset(ts: number, offsetMinutes: number): string {
  const local = new Date(ts + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hhmm}`;
}

export function eventJson(d: EventDraft): string {
  const ts = d.isoOffsetMinutes === null ? String(d.ts) : `"${isoWithOffset(d.ts, d.isoOffsetMinutes)}"`;
  let json = `{"event_id":"${d.eventId}","event_type":"${d.eventType}","ts":${ts},"account_id":"${d.accountId}"`;
  if (d.profileId !== null) json += `,"profile_id":"${d.profileId}"`;
  json += `,"device_id":"${d.deviceId}"`;
  if (d.deviceJson !== null) json += `,"device":${d.deviceJson}`;
  if (d.subjectId !== null) json += `,"${SUBJECT_FIELD[d.topic]}":"${d.subjectId}"`;
  if (d.campaignId !== null) json += `,"campaign_id":"${d.campaignId}"`;
  if (d.positionMs !== null) json += `,"position_ms":${d.positionMs}`;
  return `${json}}`;
}
