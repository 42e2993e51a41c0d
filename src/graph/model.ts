/** The graph of docs/CONTRACTS.md §2: node types, edge types, and which node types each edge joins. */

export const NODE_TYPES = ['account', 'profile', 'device', 'title', 'game', 'ad', 'campaign', 'live_event'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** A node type's position in NODE_TYPES: how typed arrays hold node types. */
export const NODE_TYPE_CODE = Object.fromEntries(NODE_TYPES.map((t, i) => [t, i])) as Readonly<Record<NodeType, number>>;

export const EDGE_TYPES = [
  'has_profile',
  'used_device',
  'logged_in_from',
  'watched',
  'played',
  'saw_ad',
  'clicked_ad',
  'in_campaign',
  'attended',
] as const;
export type EdgeType = (typeof EDGE_TYPES)[number];

/** An edge type's position in EDGE_TYPES: how typed arrays hold edge types. */
export const EDGE_TYPE_CODE = Object.fromEntries(EDGE_TYPES.map((t, i) => [t, i])) as Readonly<Record<EdgeType, number>>;

/** The code of an edge type named in data read from outside (a file); undefined for an unknown name. */
export function edgeTypeCode(name: string): number | undefined {
  return Object.hasOwn(EDGE_TYPE_CODE, name) ? EDGE_TYPE_CODE[name as EdgeType] : undefined;
}

/** An edge type fixes both endpoint types, so observations carry only the two ids. */
export const EDGE_ENDPOINTS: { readonly [E in EdgeType]: { readonly src: NodeType; readonly dst: NodeType } } = {
  has_profile: { src: 'account', dst: 'profile' },
  used_device: { src: 'profile', dst: 'device' },
  logged_in_from: { src: 'account', dst: 'device' },
  watched: { src: 'profile', dst: 'title' },
  played: { src: 'profile', dst: 'game' },
  saw_ad: { src: 'profile', dst: 'ad' },
  clicked_ad: { src: 'profile', dst: 'ad' },
  in_campaign: { src: 'ad', dst: 'campaign' },
  attended: { src: 'profile', dst: 'live_event' },
};
