/**
 * The test oracle: what the lake must contain for a list of records, computed the plain way —
 * JSON.parse, hand-written checks, a Map per partition that forgets nothing — and on purpose
 * sharing no code with src/events, src/graph or src/stream, so a bug there cannot hide here.
 * It implements docs/CONTRACTS.md §1–2 as written, with the dedup rule:
 *   newest = max ts seen on the partition before this delivery;
 *   ts < newest − horizon → accepted ("late"; a late duplicate if the id was ever accepted);
 *   else duplicate iff the id was accepted with a ts ≥ newest − horizon; else accepted.
 */

export interface OracleRecord {
  readonly topic: string;
  readonly partition: number;
  readonly value: Uint8Array | null;
}

export interface OracleEdge {
  edge_type: string;
  src_type: string;
  src_id: string;
  dst_type: string;
  dst_id: string;
  first_seen: number;
  last_seen: number;
  event_count: number;
}

export interface OracleNode {
  node_type: string;
  node_id: string;
  first_seen: number;
  last_seen: number;
  event_count: number;
  props: string | null;
  /** ts of the event `props` came from. */
  props_ts: number;
}

export interface OracleResult {
  records: number;
  /** Events mapped into the graph, late ones included. */
  accepted: number;
  duplicates: number;
  late: number;
  lateDuplicates: number;
  /** topic → count, and `${topic} ${kind}` → count (kind: the reason's prefix). */
  rejectedByTopic: Map<string, number>;
  rejectedByTopicAndKind: Map<string, number>;
  /** Keyed by edgeKey / nodeKey. */
  edges: Map<string, OracleEdge>;
  nodes: Map<string, OracleNode>;
}

export const edgeKey = (e: Pick<OracleEdge, 'edge_type' | 'src_type' | 'src_id' | 'dst_type' | 'dst_id'>): string =>
  JSON.stringify([e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id]);
export const nodeKey = (n: Pick<OracleNode, 'node_type' | 'node_id'>): string => JSON.stringify([n.node_type, n.node_id]);

const TOPICS: Record<string, { types: string[]; subject: string | null }> = {
  'app.session': { types: ['login', 'logout', 'app_open'], subject: null },
  'app.playback': { types: ['play_start', 'play_heartbeat', 'play_pause', 'play_stop'], subject: 'title_id' },
  'app.ads': { types: ['ad_impression', 'ad_click'], subject: 'ad_id' },
  'app.games': { types: ['game_start', 'game_heartbeat', 'game_end'], subject: 'game_id' },
  'app.live': { types: ['live_join', 'live_heartbeat', 'live_leave'], subject: 'live_event_id' },
};

type Json = Record<string, unknown>;
type Verdict = { event: Json; ts: number } | { kind: string };

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 128;
}

function tsOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && Math.abs(v) <= 8.64e15 ? v : null;
  if (typeof v !== 'string') return null;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

function check(topic: string, value: Uint8Array | null): Verdict {
  const spec = TOPICS[topic];
  if (spec === undefined) return { kind: 'unknown_topic' };
  if (value === null) return { kind: 'not_json' };
  if (value.length > 1024 * 1024) return { kind: 'oversize' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value));
  } catch {
    return { kind: 'not_json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'not_object' };
  const e = parsed as Json;
  if (typeof e['event_type'] === 'string' && !spec.types.includes(e['event_type'])) return { kind: 'unknown_event_type' };
  const invalid = { kind: 'invalid_field' };
  if (typeof e['event_type'] !== 'string') return invalid;
  const ts = tsOf(e['ts']);
  if (ts === null || !isId(e['event_id']) || !isId(e['account_id']) || !isId(e['device_id'])) return invalid;
  if (e['profile_id'] !== undefined ? !isId(e['profile_id']) : topic !== 'app.session') return invalid;
  if (spec.subject !== null && !isId(e[spec.subject])) return invalid;
  if (topic === 'app.ads' && e['campaign_id'] !== undefined && !isId(e['campaign_id'])) return invalid;
  const position = e['position_ms'];
  if (topic === 'app.playback' && position !== undefined && !(Number.isSafeInteger(position) && (position as number) >= 0)) {
    return invalid;
  }
  const device = e['device'];
  if (device !== undefined) {
    if (typeof device !== 'object' || device === null || Array.isArray(device)) return invalid;
    for (const k of ['type', 'os', 'model', 'app_version']) {
      const v = (device as Json)[k];
      if (v !== undefined && typeof v !== 'string') return invalid;
    }
  }
  return { event: e, ts };
}

interface PartitionState {
  newest: number;
  accepted: Map<string, number>;
  everAccepted: Set<string>;
}

export function oracle(records: readonly OracleRecord[], horizonMs = 10 * 60_000): OracleResult {
  const result: OracleResult = {
    records: 0, accepted: 0, duplicates: 0, late: 0, lateDuplicates: 0,
    rejectedByTopic: new Map(), rejectedByTopicAndKind: new Map(), edges: new Map(), nodes: new Map(),
  };
  const partitions = new Map<string, PartitionState>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  for (const record of records) {
    result.records++;
    const verdict = check(record.topic, record.value);
    if ('kind' in verdict) {
      bump(result.rejectedByTopic, record.topic);
      bump(result.rejectedByTopicAndKind, `${record.topic} ${verdict.kind}`);
      continue;
    }
    const { event, ts } = verdict;
    const id = event['event_id'] as string;
    const partitionKey = `${record.topic}#${record.partition}`;
    let p = partitions.get(partitionKey);
    if (p === undefined) partitions.set(partitionKey, (p = { newest: -Infinity, accepted: new Map(), everAccepted: new Set() }));
    const horizonStart = p.newest - horizonMs;
    p.newest = Math.max(p.newest, ts);
    if (ts < horizonStart) {
      result.late++;
      if (p.everAccepted.has(id)) result.lateDuplicates++;
    } else if (p.accepted.has(id) && p.accepted.get(id)! >= horizonStart) {
      result.duplicates++;
      continue;
    } else {
      p.accepted.set(id, ts);
    }
    p.everAccepted.add(id);
    result.accepted++;
    addGraph(result, record.topic, event, ts);
  }
  return result;
}

function addGraph(result: OracleResult, topic: string, e: Json, ts: number): void {
  const node = (node_type: string, node_id: string, device?: unknown) => {
    const key = nodeKey({ node_type, node_id });
    let n = result.nodes.get(key);
    if (n === undefined) {
      n = { node_type, node_id, first_seen: ts, last_seen: ts, event_count: 0, props: null, props_ts: -Infinity };
      result.nodes.set(key, n);
    }
    n.first_seen = Math.min(n.first_seen, ts);
    n.last_seen = Math.max(n.last_seen, ts);
    n.event_count++;
    if (device !== undefined && ts >= n.props_ts) {
      const d = device as Json;
      n.props = JSON.stringify({ type: d['type'], os: d['os'], model: d['model'], app_version: d['app_version'] });
      n.props_ts = ts;
    }
  };
  const edge = (edge_type: string, src_type: string, src_id: string, dst_type: string, dst_id: string) => {
    const key = edgeKey({ edge_type, src_type, src_id, dst_type, dst_id });
    const found = result.edges.get(key);
    if (found === undefined) {
      result.edges.set(key, { edge_type, src_type, src_id, dst_type, dst_id, first_seen: ts, last_seen: ts, event_count: 1 });
    } else {
      found.first_seen = Math.min(found.first_seen, ts);
      found.last_seen = Math.max(found.last_seen, ts);
      found.event_count++;
    }
  };

  const type = e['event_type'] as string;
  const account = e['account_id'] as string;
  const device = e['device_id'] as string;
  const profile = e['profile_id'] as string | undefined;
  node('account', account);
  node('device', device, e['device']);
  if (profile !== undefined) {
    node('profile', profile);
    edge('has_profile', 'account', account, 'profile', profile);
    edge('used_device', 'profile', profile, 'device', device);
  }
  if (topic === 'app.session' && type === 'login') edge('logged_in_from', 'account', account, 'device', device);
  if (topic === 'app.playback') {
    node('title', e['title_id'] as string);
    edge('watched', 'profile', profile!, 'title', e['title_id'] as string);
  }
  if (topic === 'app.games') {
    node('game', e['game_id'] as string);
    edge('played', 'profile', profile!, 'game', e['game_id'] as string);
  }
  if (topic === 'app.ads') {
    node('ad', e['ad_id'] as string);
    edge(type === 'ad_click' ? 'clicked_ad' : 'saw_ad', 'profile', profile!, 'ad', e['ad_id'] as string);
    if (e['campaign_id'] !== undefined) {
      node('campaign', e['campaign_id'] as string);
      edge('in_campaign', 'ad', e['ad_id'] as string, 'campaign', e['campaign_id'] as string);
    }
  }
  if (topic === 'app.live') {
    node('live_event', e['live_event_id'] as string);
    edge('attended', 'profile', profile!, 'live_event', e['live_event_id'] as string);
  }
}

/** Each device's props (docs/CONTRACTS.md §2): the device object of its latest event by ts that had one; devices without one are left out. */
export function oracleDeviceProps(truth: OracleResult): Map<string, { props: string; props_ts: number }> {
  const devices = new Map<string, { props: string; props_ts: number }>();
  for (const n of truth.nodes.values()) {
    if (n.node_type === 'device' && n.props !== null) devices.set(n.node_id, { props: n.props, props_ts: n.props_ts });
  }
  return devices;
}

/**
 * The oracle's answer to member-activity (docs/CONTRACTS.md §4): by account, the edges out
 * of the account and out of its profiles; by profile, the edges out of the profile and
 * the has_profile edge into it; those whose last_seen is at or after `since`.
 */
export function oracleMemberActivity(truth: OracleResult, member: { readonly account: string } | { readonly profile: string }, since: number): OracleEdge[] {
  const edges = [...truth.edges.values()];
  let matches: (e: OracleEdge) => boolean;
  if ('account' in member) {
    const profiles = new Set(edges.filter((e) => e.edge_type === 'has_profile' && e.src_id === member.account).map((e) => e.dst_id));
    matches = (e) => (e.src_type === 'account' && e.src_id === member.account) || (e.src_type === 'profile' && profiles.has(e.src_id));
  } else {
    matches = (e) => (e.src_type === 'profile' && e.src_id === member.profile) || (e.edge_type === 'has_profile' && e.dst_id === member.profile);
  }
  return edges.filter((e) => matches(e) && e.last_seen >= since);
}

/** The edges a walk of `hops` steps from `node` (TYPE:ID), source to destination, reaches over edges last seen at or after `since`; no fan-out limit. */
export function oracleKhop(truth: OracleResult, node: string, hops: number, since: number): OracleEdge[] {
  const live = [...truth.edges.values()].filter((e) => e.last_seen >= since);
  let frontier = new Set([node]);
  const reached = new Map<string, OracleEdge>();
  for (let h = 0; h < hops; h++) {
    const next = new Set<string>();
    for (const e of live) {
      if (!frontier.has(`${e.src_type}:${e.src_id}`)) continue;
      reached.set(edgeKey(e), e);
      next.add(`${e.dst_type}:${e.dst_id}`);
    }
    frontier = next;
  }
  return [...reached.values()];
}
