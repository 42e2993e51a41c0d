/**
 * Which tailed batches touch watched source nodes: the hook live push (watch/) hangs on
 * the point where the Kafka tail has decoded a batch into hot rows, before they reach
 * DuckDB. With nobody watching a batch costs a size check; with watchers, one Map lookup
 * per new edge row, allocating nothing per row. Watchers learn only that something of
 * theirs changed, once per batch: they read the aggregated edges themselves.
 */
import { EDGE_ENDPOINTS, EDGE_TYPES, type NodeType } from '../../graph/model.js';
import { carriedProperties } from '../../lake/spec/carried-properties.js';
import { offsetsKey, positionsOf } from '../../stream/job/source-positions.js';
import type { TableSnapshot } from '../snapshot-tier.js';
import type { HotEdgeRows } from './hot-rows.js';
import type { TailDecoder } from './tail-decoder.js';

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

  /** A newer snapshot holds edges the tail never scanned (snapshotOutrunsTail): every watcher looks again. */
  swapped(): void {
    for (const watcher of this.watchers) watcher.changed();
  }
}

const OFFSETS_PREFIX = offsetsKey('');

/**
 * Whether the edges snapshot swapped in may hold rows no scan saw: without a tail, always;
 * with one, when it commits records of a tailed topic the tail has not decoded yet (it
 * was behind the writer: those records will never be hot rows), or new records of a topic
 * it does not tail. Otherwise every record the snapshot adds passed a scan as a hot row,
 * and watchers need not read again on every commit. (Rows other engines append carry no
 * offsets: watchers see them at their next read.)
 */
export function snapshotOutrunsTail(previous: TableSnapshot, next: TableSnapshot, decoder: TailDecoder | undefined): boolean {
  if (decoder === undefined) return true;
  const before = carriedProperties(previous.metadata);
  const after = carriedProperties(next.metadata);
  for (const [key, value] of Object.entries(after)) {
    if (!key.startsWith(OFFSETS_PREFIX)) continue;
    const topic = key.slice(OFFSETS_PREFIX.length);
    if (!decoder.topics.includes(topic)) {
      if (before[key] !== value) return true;
      continue;
    }
    for (const [partition, offset] of positionsOf(after, topic).offsets) if (offset > decoder.nextOffset(topic, partition)) return true;
  }
  return false;
}
