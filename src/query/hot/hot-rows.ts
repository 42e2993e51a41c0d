/**
 * Graph observations of tailed records, one row per (record, observation), waiting to be
 * appended to the hot tables. Rows keep their Kafka partition and offset: that is what
 * lets a newer snapshot drop exactly the records it covers. Ids are the strings decoding
 * already made; everything else sits in typed arrays.
 */
import type { Device } from '../../events/contracts.js';
import { devicePropsJson } from '../../graph/device-props.js';
import { EDGE_TYPE_CODE, NODE_TYPE_CODE, type EdgeType, type NodeType } from '../../graph/model.js';
import type { GraphSink } from '../../graph/sink.js';

/** Columns of a growing row set; `length` rows are valid. */
class Columns {
  length = 0;
  type = new Uint8Array(1024);
  topic = new Uint16Array(1024);
  partition = new Int32Array(1024);
  offset = new Float64Array(1024);
  seenMs = new Float64Array(1024);

  /** Makes room for one more row and returns its index. */
  push(): number {
    if (this.length === this.type.length) {
      const grow = <T extends Uint8Array | Uint16Array | Int32Array | Float64Array>(a: T): T => {
        const next = new (a.constructor as new (n: number) => T)(a.length * 2);
        next.set(a);
        return next;
      };
      this.type = grow(this.type);
      this.topic = grow(this.topic);
      this.partition = grow(this.partition);
      this.offset = grow(this.offset);
      this.seenMs = grow(this.seenMs);
    }
    return this.length++;
  }
}

export class HotEdgeRows extends Columns {
  readonly srcId: string[] = [];
  readonly dstId: string[] = [];
}

export class HotNodeRows extends Columns {
  readonly nodeId: string[] = [];
  readonly props: (string | null)[] = [];
}

/** Where the record being mapped came from, and which tables still lack it. */
export interface RecordPosition {
  topic: number;
  partition: number;
  offset: number;
  /** False when the edges (nodes) snapshot already holds this offset. */
  edges: boolean;
  nodes: boolean;
}

export class HotRowBuffer {
  edges = new HotEdgeRows();
  nodes = new HotNodeRows();
  /** Set before mapping each record; the sink reads it, so mapping allocates no closure per record. */
  readonly at: RecordPosition = { topic: 0, partition: 0, offset: 0, edges: true, nodes: true };
  readonly sink: GraphSink;

  constructor() {
    const at = this.at;
    this.sink = {
      edge: (edgeType: EdgeType, srcId: string, dstId: string, ts: number) => {
        if (!at.edges) return;
        const rows = this.edges;
        const i = rows.push();
        rows.type[i] = EDGE_TYPE_CODE[edgeType];
        rows.srcId[i] = srcId;
        rows.dstId[i] = dstId;
        this.position(rows, i, ts);
      },
      node: (nodeType: NodeType, nodeId: string, ts: number, device: Device | null) => {
        if (!at.nodes) return;
        const rows = this.nodes;
        const i = rows.push();
        rows.type[i] = NODE_TYPE_CODE[nodeType];
        rows.nodeId[i] = nodeId;
        rows.props[i] = device === null ? null : devicePropsJson(device);
        this.position(rows, i, ts);
      },
    };
  }

  private position(rows: Columns, i: number, ts: number): void {
    rows.topic[i] = this.at.topic;
    rows.partition[i] = this.at.partition;
    rows.offset[i] = this.at.offset;
    rows.seenMs[i] = ts;
  }

  get size(): number {
    return this.edges.length + this.nodes.length;
  }

  /** Hands over the pending rows and starts empty ones. */
  take(): { edges: HotEdgeRows; nodes: HotNodeRows } {
    const taken = { edges: this.edges, nodes: this.nodes };
    this.edges = new HotEdgeRows();
    this.nodes = new HotNodeRows();
    return taken;
  }
}
