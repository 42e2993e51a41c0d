/**
 * Runs a validated graph request: runs the `sql/` library file of the same name over
 * snapshot ∪ hot with the request bound to its parameters. Where the session holds an
 * edge index, `edges` is narrowed to the request's neighbourhood first (index/); without
 * one, member-activity of an account reads only the data files whose `src_id` partition
 * and bounds can hold the member's ids. `path` walks edges both ways from both ends, so
 * its neighbourhood is most of the graph: it always reads the files. So does a request
 * whose window starts before the index window (index/index-window.ts). The data files are
 * not pruned by time there: an edge's aggregate covers all its rows, old ones included.
 */
import { timestampTZValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { eq, isIn, type Filter } from '../lake/scan/filter.js';
import { EDGES_SCHEMA } from '../lake/tables.js';
import { currentSchema } from '../lake/spec/table-metadata.js';
import type { GraphRequest, NodeRef, Since } from './graph-request.js';
import { graphEdgeOf, pathOf, type GraphResult } from './graph-result.js';
import type { HotAdjacency } from './hot/hot-adjacency.js';
import { HOT_EDGES_SELECT } from './hot/hot-tier.js';
import type { EdgeIndexVersion } from './index/edge-index.js';
import type { Neighbourhood, Reach } from './index/indexed-edges.js';
import type { QueryContext } from './query-session.js';
import { prunedFiles } from './snapshot-tier.js';
import { snapshotSelect } from './snapshot-views.js';
import { runLibrary, type QueryVariables } from './sql-library.js';

/** Year 1: "all time" as a TIMESTAMPTZ DuckDB can compare. */
const EARLIEST_MICROS = -62_135_596_800_000_000n;

function sinceValue(since: Since): DuckDBValue {
  return timestampTZValue(since === -Infinity ? EARLIEST_MICROS : BigInt(Math.floor(since)) * 1000n);
}

type Row = Record<string, DuckDBValue>;
type NeighbourhoodRequest = Exclude<GraphRequest, { query: 'path' }>;

/** The library file and its variables for a request. */
function libraryCall(request: GraphRequest): { name: string; variables: QueryVariables } {
  const since = sinceValue(request.since);
  switch (request.query) {
    case 'member-activity': {
      const { kind, id } = request.member;
      return { name: 'member_activity', variables: { account_id: kind === 'account' ? id : null, profile_id: kind === 'profile' ? id : null, since } };
    }
    case 'neighbors':
      return { name: 'neighbors', variables: { node_type: request.node.type, node_id: request.node.id, edge_type: request.edgeType, since } };
    case 'khop':
      return { name: 'khop', variables: { node_type: request.node.type, node_id: request.node.id, hops: request.hops, fanout: request.fanout, since } };
    case 'path': {
      const { from, to } = request;
      return { name: 'path', variables: { from_type: from.type, from_id: from.id, to_type: to.type, to_id: to.id, max_hops: request.maxHops, since } };
    }
  }
}

async function libraryQuery(connection: DuckDBConnection, request: GraphRequest): Promise<Row[]> {
  const { name, variables } = libraryCall(request);
  return (await runLibrary(connection, name, variables)).getRowObjects();
}

/** Shadows the session's `edges` view, for this connection, by one over fewer files. */
async function withPrunedEdges<T>(context: QueryContext, filter: Filter, work: () => Promise<T>): Promise<T> {
  const files = await context.replicas.pathsOf(prunedFiles(context.snapshot.edges, filter).map((f) => f.filePath));
  await context.connection.run(`CREATE OR REPLACE TEMP VIEW edges AS ${snapshotSelect(EDGES_SCHEMA, files, currentSchema(context.snapshot.edges.metadata))} UNION ALL ${HOT_EDGES_SELECT}`);
  try {
    return await work();
  } finally {
    await context.connection.run('DROP VIEW IF EXISTS temp.edges');
  }
}

/** The profiles an account has, over whatever `edges` is now. */
async function profilesOf(connection: DuckDBConnection, account: string): Promise<NodeRef[]> {
  const reader = await connection.runAndReadAll("SELECT DISTINCT dst_id FROM edges WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = $1", [account]);
  return reader.getRowObjects().map((r) => ({ type: 'profile', id: String(r['dst_id']) }));
}

/** The destinations a walk reaches through the index and through the hot tier, each once. */
function reachedFrom(edges: Neighbourhood, hot: HotAdjacency, nodes: readonly NodeRef[], reach: Reach): NodeRef[] {
  const reached = new Map<string, NodeRef>();
  for (const node of [...edges.addOutgoing(nodes, reach), ...hot.destinations(nodes, reach)]) reached.set(`${node.type}:${node.id}`, node);
  return [...reached.values()];
}

/**
 * Adds to `edges` every committed row the request's library query can aggregate. The
 * next hop's nodes come from the index and the hot tier's adjacency in memory, not from
 * SQL over the neighbourhood, so the rows need only one flush, at the end.
 */
function addNeighbourhood(edges: Neighbourhood, hot: HotAdjacency, request: NeighbourhoodRequest): void {
  switch (request.query) {
    case 'member-activity': {
      const { kind, id } = request.member;
      if (kind === 'account') {
        edges.addOutgoing(reachedFrom(edges, hot, [{ type: 'account', id }], { edgeType: 'has_profile', since: -Infinity }));
      } else {
        edges.addOutgoing([{ type: 'profile', id }]);
        edges.addIncoming([{ type: 'profile', id }]);
      }
      return;
    }
    case 'neighbors':
      edges.addOutgoing([request.node]);
      edges.addIncoming([request.node]);
      return;
    case 'khop': {
      let frontier: readonly NodeRef[] = [request.node];
      for (let hop = 1; hop < request.hops && frontier.length > 0; hop++) frontier = reachedFrom(edges, hot, frontier, { since: request.since });
      edges.addOutgoing(frontier);
      return;
    }
  }
}

/** Whether the session's edge index answers the request (else it reads the snapshot's files): not `path`, and a window within the index's. */
export function answeredByIndex(request: GraphRequest, index: EdgeIndexVersion | undefined): request is NeighbourhoodRequest {
  return index !== undefined && request.query !== 'path' && request.since >= index.windowStartMs;
}

/** Member-activity of an account reads only the files its ids can be in, through views of its own. */
function readsPrunedFiles(request: GraphRequest): request is Extract<GraphRequest, { query: 'member-activity' }> {
  return request.query === 'member-activity' && request.member.kind === 'account';
}

/**
 * Whether the request reads the session's views over all of the snapshot's files, which
 * must then show the current snapshot. Pointing them copies every data file of an S3 lake
 * to the local cache, which a one-shot query that reads a few of them should not wait for.
 */
export function readsSnapshotViews(request: GraphRequest, index: EdgeIndexVersion | undefined): boolean {
  return !answeredByIndex(request, index) && !readsPrunedFiles(request);
}

async function libraryRows(context: QueryContext, request: GraphRequest): Promise<Row[]> {
  const { connection, edgeIndex } = context;
  if (edgeIndex !== undefined && answeredByIndex(request, edgeIndex.version)) {
    const { table, version, hotEdges } = edgeIndex;
    return table.use(version, async (neighbourhood) => {
      addNeighbourhood(neighbourhood, hotEdges, request);
      await neighbourhood.flush();
      return libraryQuery(table.connection, request);
    });
  }
  if (readsPrunedFiles(request)) {
    const account = request.member.id;
    // The has_profile edge into a profile may sit in any src_id bucket: only accounts prune.
    const profiles = await withPrunedEdges(context, [eq('src_id', account)], () => profilesOf(connection, account));
    return withPrunedEdges(context, [isIn('src_id', [account, ...profiles.map((p) => p.id)])], () => libraryQuery(connection, request));
  }
  return libraryQuery(connection, request);
}

export async function runGraphQuery(context: QueryContext, request: GraphRequest): Promise<GraphResult> {
  const rows = await libraryRows(context, request);
  const edges = rows.map(graphEdgeOf);
  return request.query === 'path' ? { edges, path: pathOf({ node_type: request.from.type, node_id: request.from.id }, rows) } : { edges };
}
