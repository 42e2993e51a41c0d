/**
 * The kinds of bad record the generator mixes in, each a single defect applied to a valid
 * event's JSON, and the rejection kind decode must report for it.
 */
import { MAX_EVENT_BYTES, type RejectionKind } from '../../events/rejection.js';
import type { Prng } from './prng.js';

export const BAD_RECORD_KINDS = ['not_json', 'not_object', 'missing_field', 'wrong_type', 'unknown_event_type', 'oversize'] as const;
export type BadRecordKind = (typeof BAD_RECORD_KINDS)[number];

export const REJECTION_OF_BAD_RECORD: { readonly [K in BadRecordKind]: RejectionKind } = {
  not_json: 'not_json',
  not_object: 'not_object',
  missing_field: 'invalid_field',
  wrong_type: 'invalid_field',
  unknown_event_type: 'unknown_event_type',
  oversize: 'oversize',
};

const VALUE = String.raw`("[^"]*"|-?\d+|\{[^}]*\})`;

function withoutField(json: string, field: string): string {
  return field === 'event_id'
    ? json.replace(new RegExp(`"event_id":${VALUE},`), '')
    : json.replace(new RegExp(`,"${field}":${VALUE}`), '');
}

function withFieldValue(json: string, field: string, value: string): string {
  return json.replace(new RegExp(`"${field}":${VALUE}`), `"${field}":${value}`);
}

const WRONG_VALUES: ReadonlyArray<readonly [field: string, value: string]> = [
  ['event_id', '81234'],
  ['ts', '"yesterday"'],
  ['ts', '1764150000123.5'],
  ['ts', '"2025-11-26T10:00:00"'], // ISO-8601 without an offset
  ['account_id', 'true'],
  ['account_id', '""'],
  ['device_id', 'null'],
  ['event_id', `"${'x'.repeat(129)}"`],
];

/** Corrupts `json` (a valid event of a topic that requires `requiredFields`) in one way of `kind`. */
export function corruptEvent(
  kind: Exclude<BadRecordKind, 'oversize'>,
  json: string,
  requiredFields: readonly string[],
  rng: Prng,
): string {
  switch (kind) {
    case 'not_json':
      // Any proper prefix of a JSON object is not JSON.
      return json.slice(0, 1 + rng.int(json.length - 1));
    case 'not_object':
      return rng.pick(['[' + json + ']', '"' + json.length + '"', '42', 'null', 'true']);
    case 'missing_field':
      return withoutField(json, rng.pick(requiredFields));
    case 'wrong_type': {
      const [field, value] = rng.pick(WRONG_VALUES);
      return withFieldValue(json, field, value);
    }
    case 'unknown_event_type':
      return json.replace(/"event_type":"([^"]*)"/, '"event_type":"$1_v2"');
  }
}

/** A well-formed event padded to one byte over the limit: rejected on size alone. */
export function oversizeEventBytes(): Uint8Array {
  const head = '{"event_id":"oversize","event_type":"login","ts":0,"account_id":"a-0","device_id":"d-0","padding":"';
  const tail = '"}';
  return new TextEncoder().encode(head + 'x'.repeat(MAX_EVENT_BYTES + 1 - head.length - tail.length) + tail);
}
