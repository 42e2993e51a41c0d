/** The JSON shape of a graph query's answer (docs/CONTRACTS.md §4), made from DuckDB rows. */
import type { DuckDBValue } from '@duckdb/node-api';

export interface GraphEdge {
  readonly edge_type: string;
  readonly src_type: string;
  readonly src_id: string;
  readonly dst_type: string;
  readonly dst_id: string;
  /** ISO-8601 UTC. */
  readonly first_seen: string;
  readonly last_seen: string;
  readonly event_count: number;
}

export interface PathNode {
  readonly node_type: string;
  readonly node_id: string;
}

export interface GraphResult {
  readonly edges: GraphEdge[];
  /** path only: the nodes from `from` to `to`; empty when there is no path that short. */
  readonly path?: PathNode[];
}

type Row = Record<string, DuckDBValue>;

function isoOf(value: DuckDBValue): string {
  // TIMESTAMPTZ values carry epoch microseconds; lakegraph's times are whole milliseconds.
  const micros = (value as { micros: bigint }).micros;
  return new Date(Number(micros / 1000n)).toISOString();
}

export function graphEdgeOf(row: Row): GraphEdge {
  return {
    edge_type: String(row['edge_type']),
    src_type: String(row['src_type']),
    src_id: String(row['src_id']),
    dst_type: String(row['dst_type']),
    dst_id: String(row['dst_id']),
    first_seen: isoOf(row['first_seen']!),
    last_seen: isoOf(row['last_seen']!),
    event_count: Number(row['event_count']),
  };
}

/** path.sql rows are the path's steps in order; each names the node it reaches. */
export function pathOf(from: PathNode, steps: readonly Row[]): PathNode[] {
  if (steps.length === 0) return [];
  return [from, ...steps.map((s) => ({ node_type: String(s['to_type']), node_id: String(s['to_id']) }))];
}
