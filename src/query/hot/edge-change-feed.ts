/**
 * Which tailed batches touch watched source nodes: the hook live push (watch/) hangs on
 * the point where the Kafka tail has decoded a batch into hot rows, before they reach
 * DuckDB. With nobody watching a batch costs a size check; with watchers, one Map lookup
 * per new edge row, allocating nothing per row. Watchers learn only that something of
 * theirs changed, once per batch: they read the aggregated edges themselves.
 */
import { EDGE_ENDPOINTS, EDGE_TYPES, type NodeType } from '../../graph/model.js';
import type { HotEdgeRows } from './hot-rows.js';

export interface SourceWatcher {
  /** Edges out of a watched source arrived, or a snapshot swap may have brought some. */
  changed(): void;
}

/** The source node type of each edge type, by the code hot rows carry. */
const SOURCE_TYPE_OF_CODE: readonly NodeType[] = EDGE_TYPES.map((type) => EDGE_ENDPOINTS[type].src);

export class EdgeChangeFeed {
  /** Per watched source id, per its node type, who watches it. */
  private readonly bySourceId = new Map<string, Map<NodeType, Set<SourceWatcher>>>();
  private readonly watchers = new Set<SourceWatcher>();
  /** The row set scanned last and how far: the decoder's buffer grows across batches until the session takes it. */
  private scannedRows: HotEdgeRows | undefined;
  private scannedUpTo = 0;
  private readonly touched = new Set<SourceWatcher>();
  /** Batches scanned so far: a watcher that starts watching new sources compares it to learn whether it may have missed rows. */
  batches = 0;

  watch(type: NodeType, id: string, watcher: SourceWatcher): void {
    let byType = this.bySourceId.get(id);
    if (byType === undefined) this.bySourceId.set(id, (byType = new Map()));
    let watchers = byType.get(type);
    if (watchers === undefined) byType.set(type, (watchers = new Set()));
    watchers.add(watcher);
    this.watchers.add(watcher);
  }

  /** Stops `watcher` watching every source it watches. */
  forget(watcher: SourceWatcher, sources: Iterable<readonly [NodeType, string]>): void {
    for (const [type, id] of sources) {
      const byType = this.bySourceId.get(id);
      const watchers = byType?.get(type);
      if (byType === undefined || watchers === undefined) continue;
      watchers.delete(watcher);
      if (watchers.size === 0) byType.delete(type);
      if (byType.size === 0) this.bySourceId.delete(id);
    }
    this.watchers.delete(watcher);
  }

  /** After the tail decoded a batch into `rows`: tells each watcher whose sources the new rows leave, once. */
  scan(rows: HotEdgeRows): void {
    this.batches++;
    if (rows !== this.scannedRows) {
      this.scannedRows = rows;
      this.scannedUpTo = 0;
    }
    const from = this.scannedUpTo;
    this.scannedUpTo = rows.length;
    if (this.bySourceId.size === 0) return;
    for (let i = from; i < rows.length; i++) {
      const watchers = this.bySourceId.get(rows.srcId[i]!)?.get(SOURCE_TYPE_OF_CODE[rows.type[i]!]!);
      if (watchers !== undefined) for (const watcher of watchers) this.touched.add(watcher);
    }
    for (const watcher of this.touched) watcher.changed();
    this.touched.clear();
  }

  /** A newer snapshot holds records the tail may never have decoded (it was behind the writer): every watcher looks again. */
  swapped(): void {
    for (const watcher of this.watchers) watcher.changed();
  }
}
