/**
 * Purges a forgotten member from the hot tier (`lakegraph forget`): the rows of the
 * account's node and of its profiles, as the lake's purge does (maintenance/forget). The
 * account's profiles are those of its hot `has_profile` edges: every hot row of a profile
 * came from an event that also made that edge, so none is missed.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../snapshot-views.js';

export async function dropForgottenRows(connection: DuckDBConnection, accounts: ReadonlySet<string>): Promise<void> {
  if (accounts.size === 0) return;
  const list = [...accounts].map(sqlString).join(', ');
  const nodes = `(SELECT 'account' AS node_type, unnest([${list}]) AS node_id
    UNION SELECT 'profile', dst_id FROM hot_edges WHERE edge_type = 'has_profile' AND src_id IN (${list}))`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE forgotten_hot_nodes AS ${nodes}`);
  const forgotten = (type: string, id: string) => `EXISTS (SELECT 1 FROM forgotten_hot_nodes f WHERE f.node_type = ${type} AND f.node_id = ${id})`;
  await connection.run(`DELETE FROM hot_edges WHERE ${forgotten('src_type', 'src_id')} OR ${forgotten('dst_type', 'dst_id')}`);
  await connection.run(`DELETE FROM hot_nodes WHERE ${forgotten('node_type', 'node_id')}`);
  await connection.run('DROP TABLE forgotten_hot_nodes');
}
