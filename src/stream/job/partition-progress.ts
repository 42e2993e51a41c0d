/**
 * What a topic job knows about one partition: the next offset it has read, and per table
 * the next offset that table's current snapshot already holds. A record below a table's
 * committed offset is replayed for dedup state only and not written to that table again,
 * which is how a crash between the per-table commits stays exactly-once.
 */
import type { GraphSink } from '../../graph/sink.js';
import type { TableName } from '../../lake/tables.js';
import { ReplayTracker } from './replay-tracker.js';

const IGNORE_EDGES: Pick<GraphSink, 'edge'> = { edge() {} };
const IGNORE_NODES: Pick<GraphSink, 'node'> = { node() {} };

export class PartitionProgress {
  /** Next offset to read; equals the start offset until the first record arrives. */
  next: number;
  readonly committed: Record<TableName, number>;
  readonly replay: ReplayTracker;
  /** Sinks for a record that only some tables still need, built once per partition. */
  private readonly sinks: GraphSink[];

  constructor(committed: Record<TableName, number>, replayFrom: number, horizonMs: number, sink: GraphSink) {
    this.committed = { ...committed };
    this.next = Math.min(replayFrom, committed.edges, committed.nodes, committed.rejected_events);
    this.replay = new ReplayTracker(this.next, horizonMs);
    const edge = sink.edge.bind(sink);
    const node = sink.node.bind(sink);
    const edgesOnly: GraphSink = { edge, node: IGNORE_NODES.node };
    const nodesOnly: GraphSink = { edge: IGNORE_EDGES.edge, node };
    const neither: GraphSink = { edge: IGNORE_EDGES.edge, node: IGNORE_NODES.node };
    this.sinks = [neither, edgesOnly, nodesOnly, sink];
  }

  /** The sink that writes this record's observations to exactly the tables that lack it. */
  sinkFor(offset: number): GraphSink {
    return this.sinks[(offset >= this.committed.edges ? 1 : 0) | (offset >= this.committed.nodes ? 2 : 0)];
  }

  needsRejected(offset: number): boolean {
    return offset >= this.committed.rejected_events;
  }
}
