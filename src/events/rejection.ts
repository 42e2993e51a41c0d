/**
 * Why a record was rejected. A reason is `<kind>: <detail>`; the kind is a stable prefix
 * that dashboards and tests group by, the detail says exactly what was wrong.
 */

export const REJECTION_KINDS = [
  'unknown_topic',
  'oversize',
  'not_json',
  'not_object',
  'unknown_event_type',
  'invalid_field',
] as const;
export type RejectionKind = (typeof REJECTION_KINDS)[number];

/** docs/CONTRACTS.md §1: a message over 1 MiB is rejected. */
export const MAX_EVENT_BYTES = 1024 * 1024;

export function rejectionKindOf(reason: string): RejectionKind {
  const kind = reason.slice(0, reason.indexOf(':'));
  if (!(REJECTION_KINDS as readonly string[]).includes(kind)) throw new Error(`not a rejection reason: ${reason}`);
  return kind as RejectionKind;
}

export const reasons = {
  unknownTopic: (topic: string) => `unknown_topic: ${JSON.stringify(topic)}`,
  oversize: (bytes: number) => `oversize: ${bytes} bytes > ${MAX_EVENT_BYTES}`,
  notJson: (detail: string) => `not_json: ${detail}`,
  notObject: (jsonType: string) => `not_object: ${jsonType}`,
  unknownEventType: (eventType: string, topic: string) =>
    `unknown_event_type: ${JSON.stringify(eventType)} for ${topic}`,
  invalidField: (path: string, detail: string) => `invalid_field: ${path}: ${detail}`,
};
