/**
 * Everything one flush window has observed, merged per row key: edges per
 * (edge_type, src_id, dst_id, source_topic), nodes per (node_type, node_id, source_topic).
 * Ids and topics are interned; rows live in typed-array columns (see the accumulators).
 */
import type { Device } from '../../events/contracts.js';
import { EDGE_TYPE_CODE, NODE_TYPE_CODE, type EdgeType, type NodeType } from '../../graph/model.js';
import type { GraphSink } from '../../graph/sink.js';
import { EdgeAccumulator, type EdgeRows } from './edge-accumulator.js';
import { NodeAccumulator, type NodeRows } from './node-accumulator.js';
import { StringDictionary } from './string-dictionary.js';

export class GraphWindow {
  private readonly ids = new StringDictionary();
  // Kept across clear(): sinks hold topic ids.
  private readonly topics = new StringDictionary();
  private readonly edges = new EdgeAccumulator();
  private readonly nodes = new NodeAccumulator();

  /** The sink that mapping of `topic`'s events writes into. */
  sinkFor(topic: string): GraphSink {
    const topicId = this.topics.intern(topic);
    const { ids, edges, nodes } = this;
    return {
      edge(edgeType: EdgeType, srcId: string, dstId: string, ts: number): void {
        edges.observe(EDGE_TYPE_CODE[edgeType], topicId, ids.intern(srcId), ids.intern(dstId), ts);
      },
      node(nodeType: NodeType, nodeId: string, ts: number, device: Device | null): void {
        nodes.observe(NODE_TYPE_CODE[nodeType], topicId, ids.intern(nodeId), ts, device);
      },
    };
  }

  get edgeRowCount(): number {
    return this.edges.size;
  }

  get nodeRowCount(): number {
    return this.nodes.size;
  }

  /** Distinct ids interned: with the row counts, what a flush-early policy watches. */
  get idCount(): number {
    return this.ids.strings.length;
  }

  edgeRows(): EdgeRows {
    return this.edges.rows(this.ids.strings, this.topics.strings);
  }

  nodeRows(): NodeRows {
    return this.nodes.rows(this.ids.strings, this.topics.strings);
  }

  clear(): void {
    this.ids.clear();
    this.edges.clear();
    this.nodes.clear();
  }
}
