/**
 * The DuckDB side of the edge index, on a connection the session keeps for indexed
 * queries. There, `edges` is a temp view over a query's *neighbourhood* (∪ the hot tier),
 * so the sql/ library runs unchanged over a few thousand rows instead of the snapshot's
 * data files. The library aggregates by key and every key includes its source, so holding
 * every row of each source node a query walks from (and of each destination it looks
 * into) gives exactly the answer the full table gives. Temp objects are per connection, so
 * the session's other connection still sees the snapshot's files under the same names.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { EDGE_ENDPOINTS, EDGE_TYPES, type EdgeType } from '../../graph/model.js';
import type { NodeRef, Since } from '../graph-request.js';
import { HOT_EDGES_SELECT } from '../hot/hot-tier.js';
import { sqlString } from '../snapshot-views.js';
import type { EdgeIndexVersion } from './edge-index.js';
import type { EdgeSegment } from './edge-segment.js';
import { AS_DESTINATION, AS_SOURCE } from './node-dictionary.js';

/** More rows than this in one query's neighbourhood is a query the index should not serve. */
export const MAX_NEIGHBOURHOOD_ROWS = 2_000_000;

export class NeighbourhoodTooLargeError extends Error {}

export class IndexedEdges {
  private constructor(readonly connection: DuckDBConnection) {}

  /**
   * The neighbourhood holds what the index holds, as numbers where it can (edge type
   * codes, epoch microseconds as doubles): a row takes three strings through the appender
   * instead of six, and no BigInt or timestamp object per value. The `edges` view turns
   * them back into graph.edges columns.
   */
  static async open(connection: DuckDBConnection): Promise<IndexedEdges> {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      'CREATE TEMP TABLE neighbourhood (edge_code UTINYINT, src_id VARCHAR, dst_id VARCHAR, first_seen_us DOUBLE, last_seen_us DOUBLE, event_count DOUBLE, source_topic VARCHAR)',
    );
    const byCode = (name: (type: EdgeType) => string) => `[${EDGE_TYPES.map((t) => sqlString(name(t))).join(', ')}][edge_code + 1]`;
    await connection.run(
      `CREATE TEMP VIEW edges AS SELECT ${byCode((t) => t)} AS edge_type, ${byCode((t) => EDGE_ENDPOINTS[t].src)} AS src_type, src_id, ` +
        `${byCode((t) => EDGE_ENDPOINTS[t].dst)} AS dst_type, dst_id, make_timestamptz(CAST(first_seen_us AS BIGINT)) AS first_seen, ` +
        `make_timestamptz(CAST(last_seen_us AS BIGINT)) AS last_seen, CAST(event_count AS BIGINT) AS event_count, source_topic ` +
        `FROM temp.neighbourhood UNION ALL ${HOT_EDGES_SELECT}`,
    );
    return new IndexedEdges(connection);
  }

  /**
   * Runs `work` with an empty neighbourhood to add to; `edges` is it ∪ the hot tier once
   * `flush` made the added rows visible.
   */
  async use<T>(version: EdgeIndexVersion, work: (neighbourhood: Neighbourhood) => Promise<T>): Promise<T> {
    const appender = await this.connection.createAppender('neighbourhood', 'main', 'temp');
    try {
      return await work(new Neighbourhood(appender, version, this.connection));
    } finally {
      appender.closeSync();
      await this.connection.run('DELETE FROM temp.neighbourhood');
    }
  }
}

function noteRefs(into: Map<string, NodeRef>, refs: readonly NodeRef[]): void {
  for (const ref of refs) into.set(`${ref.type}:${ref.id}`, ref);
}

/** Which destinations of the rows a walk adds it reports back: the way on to the next hop. */
export interface Reach {
  readonly edgeType?: EdgeType;
  /** Only rows seen at or after this (epoch ms; -Infinity: all time). */
  readonly since: Since;
}

/**
 * The committed rows one query may aggregate, gathered from the index. Rows go into one
 * appender and are flushed once, before the query's SQL: each flush is a DuckDB commit
 * that holds the service's thread for a millisecond or more.
 */
export class Neighbourhood {
  private readonly walkedOut = new Set<number>();
  private readonly lookedInto = new Set<number>();
  /** The same walks by node, including nodes the index does not hold (hot or before the window only): what the pre-window summary adds for. */
  private readonly walkedOutRefs = new Map<string, NodeRef>();
  private readonly lookedIntoRefs = new Map<string, NodeRef>();
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly index: EdgeIndexVersion,
    private readonly connection: DuckDBConnection,
  ) {}

  /**
   * Adds every committed edge out of these nodes (those into an already added destination
   * are there); returns the destinations of the rows that match `reach`, over nodes not
   * walked before (whose destinations an earlier call returned).
   */
  addOutgoing(nodes: readonly NodeRef[], reach?: Reach): NodeRef[] {
    const reached = new Map<number, EdgeType>();
    const sinceMicros = Math.floor(reach?.since ?? Infinity) * 1000;
    noteRefs(this.walkedOutRefs, nodes);
    this.add(
      nodes,
      AS_SOURCE,
      this.walkedOut,
      (segment, node, visit) => segment.bySrc.forEachRow(node, visit),
      (segment, row) => this.lookedInto.has(segment.dst[row]!),
      reach &&
        ((segment, row) => {
          const edgeType = segment.edgeTypeOf(row);
          if (segment.lastSeenMicros[row]! >= sinceMicros && (reach.edgeType === undefined || edgeType === reach.edgeType)) reached.set(segment.dst[row]!, edgeType);
        }),
    );
    return [...reached].map(([node, edgeType]) => ({ type: EDGE_ENDPOINTS[edgeType].dst, id: this.index.nodes.idOf(node) }));
  }

  /** Adds every committed edge into these nodes (those out of an already added source are there). */
  addIncoming(nodes: readonly NodeRef[]): void {
    noteRefs(this.lookedIntoRefs, nodes);
    this.add(nodes, AS_DESTINATION, this.lookedInto, (segment, node, visit) => segment.byDst.forEachRow(node, visit), (segment, row) => this.walkedOut.has(segment.src[row]!));
  }

  /**
   * Makes the rows added so far visible to SQL on the connection, with what the rows
   * before the index window add to the walked nodes' edges (pre-window-edges.ts).
   */
  async flush(): Promise<void> {
    this.appender.flushSync();
    await this.index.preWindow?.addTo(this.connection, [...this.walkedOutRefs.values()], [...this.lookedIntoRefs.values()]);
  }

  private add(
    refs: readonly NodeRef[],
    role: number,
    done: Set<number>,
    rowsOf: (segment: EdgeSegment, node: number, visit: (row: number) => void) => void,
    alreadyAdded: (segment: EdgeSegment, row: number) => boolean,
    /** Sees every row of the walked nodes, added now or before. */
    observe?: (segment: EdgeSegment, row: number) => void,
  ): void {
    const { nodes, topics, segments } = this.index;
    const appender = this.appender;
    const wanted = new Set<number>();
    for (const ref of refs) {
      const node = nodes.find(ref.type, ref.id);
      if (node !== undefined && nodes.wasSeenAs(node, role) && !done.has(node)) wanted.add(node);
    }
    if (wanted.size === 0) return;
    for (const segment of segments) {
      const append = (row: number) => {
        observe?.(segment, row);
        if (alreadyAdded(segment, row)) return;
        if (++this.rows > MAX_NEIGHBOURHOOD_ROWS) {
          throw new NeighbourhoodTooLargeError(`the query reaches more than ${MAX_NEIGHBOURHOOD_ROWS} committed edge rows; narrow it (fewer hops, a smaller fan-out)`);
        }
        appender.appendUTinyInt(segment.edgeType[row]!);
        appender.appendVarchar(nodes.idOf(segment.src[row]!));
        appender.appendVarchar(nodes.idOf(segment.dst[row]!));
        appender.appendDouble(segment.firstSeenMicros[row]!);
        appender.appendDouble(segment.lastSeenMicros[row]!);
        appender.appendDouble(segment.eventCount[row]!);
        appender.appendVarchar(topics.strings[segment.topic[row]!]!);
        appender.endRow();
      };
      for (const node of wanted) rowsOf(segment, node, append);
    }
    for (const node of wanted) done.add(node);
  }
}
