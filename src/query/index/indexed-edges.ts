/**
 * The DuckDB side of the edge index, on a connection the session keeps for indexed
 * queries. There, `edges` is a temp view over a query's *neighbourhood* (∪ the hot tier),
 * so the sql/ library runs unchanged over a few thousand rows instead of the snapshot's
 * data files. The library aggregates by key and every key includes its source, so holding
 * every row of each source node a query walks from (and of each destination it looks
 * into) gives exactly the answer the full table gives. Temp objects are per connection, so
 * the session's other connection still sees the snapshot's files under the same names.
 */
import { timestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import { EDGE_ENDPOINTS } from '../../graph/model.js';
import type { NodeRef } from '../graph-request.js';
import { HOT_EDGES_SELECT } from '../hot/hot-tier.js';
import type { EdgeIndexVersion } from './edge-index.js';
import type { EdgeSegment } from './edge-segment.js';
import { AS_DESTINATION, AS_SOURCE } from './node-dictionary.js';

/** More rows than this in one query's neighbourhood is a query the index should not serve. */
export const MAX_NEIGHBOURHOOD_ROWS = 2_000_000;

export class NeighbourhoodTooLargeError extends Error {}

export class IndexedEdges {
  private constructor(readonly connection: DuckDBConnection) {}

  static async open(connection: DuckDBConnection): Promise<IndexedEdges> {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      'CREATE TEMP TABLE neighbourhood (edge_type VARCHAR, src_type VARCHAR, src_id VARCHAR, dst_type VARCHAR, dst_id VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, event_count BIGINT, source_topic VARCHAR)',
    );
    await connection.run(`CREATE TEMP VIEW edges AS SELECT * FROM temp.neighbourhood UNION ALL ${HOT_EDGES_SELECT}`);
    return new IndexedEdges(connection);
  }

  /** Runs `work` with an empty neighbourhood to add to; `edges` is it ∪ the hot tier meanwhile. */
  async use<T>(version: EdgeIndexVersion, work: (neighbourhood: Neighbourhood) => Promise<T>): Promise<T> {
    try {
      return await work(new Neighbourhood(this.connection, version));
    } finally {
      await this.connection.run('DELETE FROM temp.neighbourhood');
    }
  }
}

export class Neighbourhood {
  private readonly walkedOut = new Set<number>();
  private readonly lookedInto = new Set<number>();
  private rows = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly index: EdgeIndexVersion,
  ) {}

  /** Adds every committed edge out of these nodes (those into an already added destination are there). */
  addOutgoing(nodes: readonly NodeRef[]): Promise<void> {
    return this.add(nodes, AS_SOURCE, this.walkedOut, (segment, node, visit) => segment.bySrc.forEachRow(node, visit), (segment, row) => this.lookedInto.has(segment.dst[row]!));
  }

  /** Adds every committed edge into these nodes (those out of an already added source are there). */
  addIncoming(nodes: readonly NodeRef[]): Promise<void> {
    return this.add(nodes, AS_DESTINATION, this.lookedInto, (segment, node, visit) => segment.byDst.forEachRow(node, visit), (segment, row) => this.walkedOut.has(segment.src[row]!));
  }

  private async add(
    refs: readonly NodeRef[],
    role: number,
    done: Set<number>,
    rowsOf: (segment: EdgeSegment, node: number, visit: (row: number) => void) => void,
    alreadyAdded: (segment: EdgeSegment, row: number) => boolean,
  ): Promise<void> {
    const { nodes, topics, segments } = this.index;
    const wanted: number[] = [];
    for (const ref of refs) {
      const node = nodes.find(ref.type, ref.id);
      if (node !== undefined && nodes.wasSeenAs(node, role) && !done.has(node)) wanted.push(node);
    }
    if (wanted.length === 0) return;
    // Measured against numbers-only data chunks plus one join naming the rows: for
    // neighbourhoods of up to a few thousand rows the appender is faster (fewer statements).
    const appender = await this.connection.createAppender('neighbourhood', 'main', 'temp');
    try {
      for (const segment of segments) {
        const append = (row: number) => {
          if (alreadyAdded(segment, row)) return;
          if (++this.rows > MAX_NEIGHBOURHOOD_ROWS) {
            throw new NeighbourhoodTooLargeError(`the query reaches more than ${MAX_NEIGHBOURHOOD_ROWS} committed edge rows; narrow it (fewer hops, a smaller fan-out)`);
          }
          const edgeType = segment.edgeTypeOf(row);
          const { src, dst } = EDGE_ENDPOINTS[edgeType];
          appender.appendVarchar(edgeType);
          appender.appendVarchar(src);
          appender.appendVarchar(nodes.idOf(segment.src[row]!));
          appender.appendVarchar(dst);
          appender.appendVarchar(nodes.idOf(segment.dst[row]!));
          appender.appendTimestampTZ(timestampTZValue(BigInt(segment.firstSeenMicros[row]!)));
          appender.appendTimestampTZ(timestampTZValue(BigInt(segment.lastSeenMicros[row]!)));
          appender.appendBigInt(BigInt(segment.eventCount[row]!));
          appender.appendVarchar(topics.strings[segment.topic[row]!]!);
          appender.endRow();
        };
        for (const node of wanted) rowsOf(segment, node, append);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    for (const node of wanted) done.add(node);
  }
}
