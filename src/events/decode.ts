/**
 * Raw message bytes → a validated event, or the precise reason it was rejected.
 * Never throws: every consumed record must end up accepted or rejected (invariant 4).
 */
import type { z } from 'zod';
import { CONTRACT_BY_TOPIC, type AppEvent } from './contracts.js';
import { fastAccept } from './fast-accept.js';
import { MAX_EVENT_BYTES, reasons } from './rejection.js';
import { isTopic } from './topics.js';

export type DecodeResult =
  | { readonly ok: true; readonly event: AppEvent }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function rejected(reason: string): DecodeResult {
  return { ok: false, reason };
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function reasonFor(topic: string, input: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): string {
  // event_type selects the contract, so a wrong one outranks any other complaint.
  const eventType = input['event_type'];
  if (typeof eventType === 'string' && issues.some((issue) => issue.path[0] === 'event_type')) {
    return reasons.unknownEventType(eventType, topic);
  }
  const first = issues[0]!;
  return reasons.invalidField(first.path.join('.'), first.message);
}

export function decodeEvent(topic: string, value: Uint8Array | null): DecodeResult {
  if (!isTopic(topic)) return rejected(reasons.unknownTopic(topic));
  if (value === null) return rejected(reasons.notJson('null value (tombstone)'));
  if (value.byteLength > MAX_EVENT_BYTES) return rejected(reasons.oversize(value.byteLength));
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(value));
  } catch (error) {
    return rejected(reasons.notJson(error instanceof TypeError ? 'invalid UTF-8' : (error as Error).message));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return rejected(reasons.notObject(jsonTypeOf(json)));
  }
  const fast = fastAccept(topic, json as Record<string, unknown>);
  if (fast !== undefined) return { ok: true, event: fast };
  const parsed = CONTRACT_BY_TOPIC[topic].safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  return rejected(reasonFor(topic, json as Record<string, unknown>, parsed.error.issues));
}
