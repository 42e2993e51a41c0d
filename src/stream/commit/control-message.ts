/**
 * What travels on a topic job's control topic (docs/CONTRACTS.md §5): members' contributions
 * to the committer, and the committer's outcomes back. One JSON object per message; the
 * types JSON lacks (bigint counts and ids, byte bounds, maps) are tagged objects.
 */
import { TABLE_NAMES } from '../../lake/tables.js';
import type { Contribution, ContributionOutcome } from './contribution.js';

export type ControlMessage =
  | { readonly kind: 'contribution'; readonly group: string; readonly contribution: Contribution }
  | { readonly kind: 'outcome'; readonly group: string; readonly id: string; readonly outcome: ContributionOutcome };

/** A replacer: `this[key]` is the value before `toJSON` (which a Buffer has), `value` after. */
function tag(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Map) return { $map: [...value] };
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = value as Record<string, unknown>;
  if (typeof tagged['$bigint'] === 'string') return BigInt(tagged['$bigint']);
  if (typeof tagged['$bytes'] === 'string') return new Uint8Array(Buffer.from(tagged['$bytes'], 'base64'));
  if (Array.isArray(tagged['$map'])) return new Map(tagged['$map'] as Array<[unknown, unknown]>);
  return value;
}

export function encodeControlMessage(message: ControlMessage): Buffer {
  return Buffer.from(JSON.stringify(message, tag));
}

/** The message, or undefined for bytes that are none (another version's, or not ours): a control topic is shared by nothing else, but must not stop a job. */
export function decodeControlMessage(bytes: Buffer): ControlMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'), untag);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const message = parsed as Partial<ControlMessage>;
  if (typeof message.group !== 'string') return undefined;
  if (message.kind === 'contribution') {
    const c = message.contribution;
    const wellFormed = typeof c?.id === 'string' && typeof c.topic === 'string' && (TABLE_NAMES as readonly unknown[]).includes(c.table) && Array.isArray(c.files) && c.positions?.offsets instanceof Map && c.fence instanceof Map;
    return wellFormed ? (message as ControlMessage) : undefined;
  }
  if (message.kind === 'outcome' && typeof message.id === 'string' && typeof message.outcome?.kind === 'string') return message as ControlMessage;
  return undefined;
}
