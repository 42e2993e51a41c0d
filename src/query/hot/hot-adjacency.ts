/**
 * The hot tier's edges by source node, in memory, for the edge index's walks: where a
 * walk goes on through edges not committed yet, without a DuckDB statement per hop. It
 * mirrors `hot_edges`: rows are added as they are appended there, and after a swap has
 * deleted the rows the new snapshot covers it is rebuilt from what the table still holds.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { EDGE_ENDPOINTS, EDGE_TYPES, type EdgeType } from '../../graph/model.js';
import type { NodeRef } from '../graph-request.js';
import type { Reach } from '../index/indexed-edges.js';
import type { HotEdgeRows } from './hot-rows.js';

interface Destination {
  readonly edgeType: EdgeType;
  readonly id: string;
  lastSeenMs: number;
}

const nodeKey = (type: string, id: string) => `${type}\u0000${id}`;

export class HotAdjacency {
  /** Per source node, its destinations by edge type and id. */
  private bySource = new Map<string, Map<string, Destination>>();

  add(rows: HotEdgeRows): void {
    for (let i = 0; i < rows.length; i++) this.observe(EDGE_TYPES[rows.type[i]!]!, rows.srcId[i]!, rows.dstId[i]!, rows.seenMs[i]!);
  }

  /** Starts over from the rows `hot_edges` holds now. */
  async reload(connection: DuckDBConnection): Promise<void> {
    const reader = await connection.runAndReadAll('SELECT edge_type, src_id, dst_id, max(seen_ms) FROM hot_edges GROUP BY ALL');
    this.bySource = new Map();
    for (const [edgeType, srcId, dstId, seenMs] of reader.getRows()) this.observe(String(edgeType) as EdgeType, String(srcId), String(dstId), Number(seenMs));
  }

  /** The destinations of hot edges out of `nodes` that match `reach`. */
  destinations(nodes: readonly NodeRef[], reach: Reach): NodeRef[] {
    const reached: NodeRef[] = [];
    for (const node of nodes) {
      for (const to of this.bySource.get(nodeKey(node.type, node.id))?.values() ?? []) {
        if (to.lastSeenMs >= reach.since && (reach.edgeType === undefined || to.edgeType === reach.edgeType)) reached.push({ type: EDGE_ENDPOINTS[to.edgeType].dst, id: to.id });
      }
    }
    return reached;
  }

  private observe(edgeType: EdgeType, srcId: string, dstId: string, seenMs: number): void {
    const source = nodeKey(EDGE_ENDPOINTS[edgeType].src, srcId);
    let out = this.bySource.get(source);
    if (out === undefined) this.bySource.set(source, (out = new Map()));
    const key = nodeKey(edgeType, dstId);
    const known = out.get(key);
    if (known === undefined) out.set(key, { edgeType, id: dstId, lastSeenMs: seenMs });
    else known.lastSeenMs = Math.max(known.lastSeenMs, seenMs);
  }
}
