/** The graph of CONTRACTS §2: node types, edge types, and which node types each edge joins. */

export const NODE_TYPES = ['account', 'profile', 'device', 'title', 'game', 'ad', 'campaign', 'live_event'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

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
