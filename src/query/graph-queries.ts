/**
 * Runs a validated graph request: binds its parameters as DuckDB variables and runs the
 * `sql/` library file of the same name over snapshot ∪ hot. member-activity of an account
 * reads only the data files whose `src_id` partition and bounds can hold the member's ids.
 */
import { timestampTZValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { eq, isIn, type Filter } from '../lake/scan/filter.js';
import { EDGES_SCHEMA } from '../lake/tables.js';
import type { GraphRequest, Since } from './graph-request.js';
import { graphEdgeOf, pathOf, type GraphResult } from './graph-result.js';
import { HOT_EDGES_SELECT } from './hot/hot-tier.js';
import type { QueryContext } from './query-session.js';
import { prunedFiles } from './snapshot-tier.js';
import { snapshotSelect } from './snapshot-views.js';
import { loadLibrarySql, setVariables, type QueryVariables } from './sql-library.js';

/** Year 1: "all time" as a TIMESTAMPTZ DuckDB can compare. */
const EARLIEST_MICROS = -62_135_596_800_000_000n;

function sinceValue(since: Since): DuckDBValue {
  return timestampTZValue(since === -Infinity ? EARLIEST_MICROS : BigInt(Math.floor(since)) * 1000n);
}

type Row = Record<string, DuckDBValue>;

async function runLibrary(connection: DuckDBConnection, name: string, variables: QueryVariables): Promise<Row[]> {
  await setVariables(connection, variables);
  return (await connection.runAndReadAll(await loadLibrarySql(name))).getRowObjects();
}

/** Shadows the session's `edges` view, for this connection, by one over fewer files. */
async function withPrunedEdges<T>(context: QueryContext, filter: Filter, work: () => Promise<T>): Promise<T> {
  const files = prunedFiles(context.snapshot.edges, filter).map((f) => f.filePath);
  await context.connection.run(`CREATE OR REPLACE TEMP VIEW edges AS ${snapshotSelect(EDGES_SCHEMA, files)} UNION ALL ${HOT_EDGES_SELECT}`);
  try {
    return await work();
  } finally {
    await context.connection.run('DROP VIEW IF EXISTS temp.edges');
  }
}

async function accountProfiles(context: QueryContext, account: string): Promise<string[]> {
  return withPrunedEdges(context, [eq('src_id', account)], async () => {
    const reader = await context.connection.runAndReadAll(
      "SELECT DISTINCT dst_id FROM edges WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = $1",
      [account],
    );
    return reader.getRowObjects().map((r) => String(r['dst_id']));
  });
}

export async function runGraphQuery(context: QueryContext, request: GraphRequest): Promise<GraphResult> {
  const { connection } = context;
  const since = sinceValue(request.since);
  switch (request.query) {
    case 'member-activity': {
      const { kind, id } = request.member;
      const variables = { account_id: kind === 'account' ? id : null, profile_id: kind === 'profile' ? id : null, since };
      const run = () => runLibrary(connection, 'member_activity', variables);
      // The has_profile edge into a profile may sit in any src_id bucket: only accounts prune.
      const rows = kind === 'account' ? await withPrunedEdges(context, [isIn('src_id', [id, ...(await accountProfiles(context, id))])], run) : await run();
      return { edges: rows.map(graphEdgeOf) };
    }
    case 'neighbors': {
      const rows = await runLibrary(connection, 'neighbors', { node_type: request.node.type, node_id: request.node.id, edge_type: request.edgeType, since });
      return { edges: rows.map(graphEdgeOf) };
    }
    case 'khop': {
      const rows = await runLibrary(connection, 'khop', { node_type: request.node.type, node_id: request.node.id, hops: request.hops, fanout: request.fanout, since });
      return { edges: rows.map(graphEdgeOf) };
    }
    case 'path': {
      const { from, to } = request;
      const rows = await runLibrary(connection, 'path', { from_type: from.type, from_id: from.id, to_type: to.type, to_id: to.id, max_hops: request.maxHops, since });
      return { edges: rows.map(graphEdgeOf), path: pathOf({ node_type: from.type, node_id: from.id }, rows) };
    }
  }
}
