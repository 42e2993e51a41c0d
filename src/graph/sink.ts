import type { Device } from '../events/contracts.js';
import type { EdgeType, NodeType } from './model.js';

/**
 * Receives the observations one accepted event makes. Mapping calls into a sink rather than
 * returning arrays so the hot path allocates nothing per observation.
 */
export interface GraphSink {
  /** `device` is the event's device object when this node is the event's device and it carried one. */
  node(nodeType: NodeType, nodeId: string, ts: number, device: Device | null): void;
  edge(edgeType: EdgeType, srcId: string, dstId: string, ts: number): void;
}
