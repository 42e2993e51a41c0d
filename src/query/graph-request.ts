/**
 * The inputs of the four graph queries (docs/CONTRACTS.md §4), validated once with zod for the CLI
 * and HTTP alike. Inputs arrive as strings named like the CLI flags; validation turns them
 * into typed requests or into issues that name the option and say what is wrong.
 */
import { z } from 'zod';
import { DURATION_EXAMPLES, durationMs } from '../common/duration.js';
import { EDGE_TYPES, NODE_TYPES, type EdgeType, type NodeType } from '../graph/model.js';

export const QUERY_NAMES = ['member-activity', 'neighbors', 'khop', 'path'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export const MAX_KHOP_HOPS = 4;
export const MAX_PATH_HOPS = 6;
export const DEFAULT_FANOUT = 50;
export const MAX_FANOUT = 1000;

export interface NodeRef {
  readonly type: NodeType;
  readonly id: string;
}

/** The window's lower bound, epoch ms; -Infinity means all time. */
export type Since = number;

export type GraphRequest =
  | { readonly query: 'member-activity'; readonly member: { readonly kind: 'account' | 'profile'; readonly id: string }; readonly since: Since }
  | { readonly query: 'neighbors'; readonly node: NodeRef; readonly edgeType: EdgeType | null; readonly since: Since }
  | { readonly query: 'khop'; readonly node: NodeRef; readonly hops: number; readonly fanout: number; readonly since: Since }
  | { readonly query: 'path'; readonly from: NodeRef; readonly to: NodeRef; readonly maxHops: number; readonly since: Since };

const id = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

const nodeRef = z.string().transform((text, ctx): NodeRef => {
  const colon = text.indexOf(':');
  const type = text.slice(0, colon);
  if (colon < 0 || !(NODE_TYPES as readonly string[]).includes(type)) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 80)}" is not TYPE:ID with TYPE one of ${NODE_TYPES.join(', ')}` });
    return z.NEVER;
  }
  const parsed = id.safeParse(text.slice(colon + 1));
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: `the id ${parsed.error.issues[0]!.message}` });
    return z.NEVER;
  }
  return { type: type as NodeType, id: parsed.data };
}).meta({ description: `a node as TYPE:ID, TYPE one of ${NODE_TYPES.join(', ')}` });

const duration = z.string().transform((text, ctx) => {
  const ms = durationMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 80)}" is not a duration; ${DURATION_EXAMPLES}` });
    return z.NEVER;
  }
  return ms;
}).meta({ description: `keep the edges last seen within this long before the reference time (at); ${DURATION_EXAMPLES}, or bare milliseconds` });

const instant = z.string().transform((text, ctx) => {
  const ms = /^-?\d+$/.test(text) ? Number(text) : /^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isSafeInteger(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 80)}" is neither epoch milliseconds nor ISO-8601 with an offset` });
    return z.NEVER;
  }
  return ms;
}).meta({ description: 'the reference time of the window, epoch milliseconds or ISO-8601 with an offset; default: now' });

const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max)).meta({ description: `a whole number from ${min} to ${max}` });

const windowFields = { since: duration.optional(), at: instant.optional() };

/** Each query's options as they arrive; also what docs/contracts/openapi.json is generated from. */
export const REQUEST_SCHEMAS = {
  'member-activity': z
    .strictObject({ account: id.optional(), profile: id.optional(), ...windowFields })
    .refine((o) => (o.account === undefined) !== (o.profile === undefined), { message: 'give exactly one of account or profile' }),
  neighbors: z.strictObject({ node: nodeRef, 'edge-type': z.enum(EDGE_TYPES).optional(), ...windowFields }),
  khop: z.strictObject({ node: nodeRef, hops: wholeNumber(1, MAX_KHOP_HOPS), fanout: wholeNumber(1, MAX_FANOUT).optional(), ...windowFields }),
  path: z.strictObject({ from: nodeRef, to: nodeRef, 'max-hops': wholeNumber(1, MAX_PATH_HOPS).optional(), ...windowFields }),
} as const;

/** member-activity looks back five minutes unless told; the others over all time. */
const DEFAULT_SINCE_MS: Record<QueryName, number | undefined> = { 'member-activity': 5 * 60_000, neighbors: undefined, khop: undefined, path: undefined };

export type RequestIssues = readonly string[];

export function isQueryName(name: string): name is QueryName {
  return (QUERY_NAMES as readonly string[]).includes(name);
}

/** Validates raw options (CLI flag names without dashes); `now` is the reference time when `at` is absent. */
export function parseGraphRequest(query: QueryName, raw: Readonly<Record<string, string>>, now: number): { ok: true; request: GraphRequest } | { ok: false; issues: RequestIssues } {
  const parsed = REQUEST_SCHEMAS[query].safeParse(raw);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)) };
  }
  const o = parsed.data as Record<string, unknown>;
  const sinceMs = (o['since'] as number | undefined) ?? DEFAULT_SINCE_MS[query];
  const since = sinceMs === undefined ? -Infinity : ((o['at'] as number | undefined) ?? now) - sinceMs;
  switch (query) {
    case 'member-activity': {
      const member = o['account'] !== undefined ? { kind: 'account' as const, id: o['account'] as string } : { kind: 'profile' as const, id: o['profile'] as string };
      return { ok: true, request: { query, member, since } };
    }
    case 'neighbors':
      return { ok: true, request: { query, node: o['node'] as NodeRef, edgeType: (o['edge-type'] as EdgeType | undefined) ?? null, since } };
    case 'khop':
      return { ok: true, request: { query, node: o['node'] as NodeRef, hops: o['hops'] as number, fanout: (o['fanout'] as number | undefined) ?? DEFAULT_FANOUT, since } };
    case 'path':
      return { ok: true, request: { query, from: o['from'] as NodeRef, to: o['to'] as NodeRef, maxHops: (o['max-hops'] as number | undefined) ?? MAX_PATH_HOPS, since } };
  }
}
