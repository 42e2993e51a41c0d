/**
 * Which rows of each table belong to a member (docs/CONTRACTS.md §2 mapping): the account
 * node, its profile nodes, and every edge whose source or destination is one of them. Nodes
 * the member shares with others (devices, titles, games, ads, live events) stay; only the
 * edges that tie them to the member go. A rejected record belongs to the member when its
 * Kafka key is the account id (producers key by account, §1) or its payload is JSON naming
 * the account.
 *
 * Each table's rows are told two ways: a scan filter for pruning files by partition and
 * column bounds (alternatives, any of which may match), and a DuckDB predicate for the rows.
 */
import type { Filter } from '../../lake/scan/filter.js';
import { isIn } from '../../lake/scan/filter.js';
import type { TableName } from '../../lake/tables.js';
import { sqlString } from '../../query/snapshot-views.js';

export interface Member {
  readonly account: string;
  /** The account's profiles: destinations of its `has_profile` edges. */
  readonly profiles: readonly string[];
}

export interface MemberRows {
  /** A file may hold member rows when any of these filters may match it. */
  readonly filters: readonly Filter[];
  /** A DuckDB boolean expression over the table's columns, true for the member's rows. */
  readonly predicate: string;
}

const sqlList = (values: readonly string[]): string => values.map(sqlString).join(', ');

function nodeMatch(typeColumn: string, idColumn: string, { account, profiles }: Member): string {
  const accountMatch = `(${typeColumn} = 'account' AND ${idColumn} = ${sqlString(account)})`;
  return profiles.length === 0 ? accountMatch : `(${accountMatch} OR (${typeColumn} = 'profile' AND ${idColumn} IN (${sqlList(profiles)})))`;
}

export function memberRows(table: TableName, member: Member): MemberRows {
  const ids = [member.account, ...member.profiles];
  switch (table) {
    case 'edges':
      return {
        // Account and profile nodes are only ever the source, or a has_profile destination.
        filters: member.profiles.length === 0 ? [[isIn('src_id', ids)]] : [[isIn('src_id', ids)], [isIn('dst_id', member.profiles)]],
        predicate: `(${nodeMatch('src_type', 'src_id', member)} OR ${nodeMatch('dst_type', 'dst_id', member)})`,
      };
    case 'nodes':
      return { filters: [[isIn('node_id', ids)]], predicate: nodeMatch('node_type', 'node_id', member) };
    case 'rejected_events':
      // Partitioned by day and unsorted: every file is a candidate. Payloads are raw bytes
      // that may be neither UTF-8 nor JSON, hence try().
      return {
        filters: [[]],
        predicate: `("key" = encode(${sqlString(member.account)}) OR try(json_extract_string(decode(payload), '$.account_id')) = ${sqlString(member.account)})`,
      };
  }
}

/** The account's profiles among these edge files' rows. */
export function profilesQuery(files: readonly string[], account: string): string {
  return `SELECT DISTINCT dst_id FROM read_parquet([${sqlList(files)}])
    WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = ${sqlString(account)} ORDER BY dst_id`;
}
