/** `lakegraph query <name>`: one graph query over snapshot ∪ Kafka tail, as a table or `--json`. */
import { parseGraphRequest, isQueryName, QUERY_NAMES, type QueryName } from '../query/graph-request.js';
import type { GraphResult } from '../query/graph-result.js';
import { QuerySession } from '../query/query-session.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';
import { AS_OF_FLAG, asOfFromFlags, asUsageError } from './as-of-flag.js';
import { WAREHOUSE_FLAGS, existingWarehouseFromFlags } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatTable } from './format-table.js';
import { oneShotTailFromFlags, OPTIONAL_KAFKA_FLAGS, TAIL_TOPIC_FLAGS } from './tail-flags.js';

/** The query options, all passed on as strings: graph-request.ts validates them for CLI and HTTP alike. */
export const QUERY_OPTION_FLAGS: readonly FlagSpec[] = [
  { name: 'account', kind: 'string', placeholder: 'ID', help: 'member-activity: the account' },
  { name: 'profile', kind: 'string', placeholder: 'ID', help: 'member-activity: the profile' },
  { name: 'node', kind: 'string', placeholder: 'TYPE:ID', help: 'neighbors, khop: the start node' },
  { name: 'edge-type', kind: 'string', placeholder: 'E', help: 'neighbors: only this edge type' },
  { name: 'hops', kind: 'string', placeholder: 'K', help: 'khop: hops, 1..4' },
  { name: 'fanout', kind: 'string', placeholder: 'N', help: 'khop: at most N edges per node per hop (default 50)' },
  { name: 'from', kind: 'string', placeholder: 'TYPE:ID', help: 'path: start node' },
  { name: 'to', kind: 'string', placeholder: 'TYPE:ID', help: 'path: end node' },
  { name: 'max-hops', kind: 'string', placeholder: 'K', help: 'path: longest path searched, 1..6 (default 6)' },
  { name: 'since', kind: 'string', placeholder: 'D', help: 'window: edges last seen within D of the reference time (member-activity default 5m; others all time)' },
  { name: 'at', kind: 'string', placeholder: 'T', help: 'reference time, epoch ms or ISO-8601 (default now)' },
];

export const queryCommand: Command = {
  name: 'query',
  summary: 'Graph queries over snapshot ∪ Kafka tail: member-activity, neighbors, khop, path.',
  usage: [
    'lakegraph query member-activity (--profile ID | --account ID) [--since 5m] [--json]',
    '       lakegraph query neighbors --node TYPE:ID [--edge-type E] [--since D] [--json]',
    '       lakegraph query khop --node TYPE:ID --hops K [--fanout N] [--since D] [--json]',
    '       lakegraph query path --from TYPE:ID --to TYPE:ID [--max-hops K] [--json]',
    '       (any of them: [--as-of SNAPSHOT_ID|T] for the graph as it was then)',
  ].join('\n'),
  flags: [
    ...QUERY_OPTION_FLAGS,
    AS_OF_FLAG,
    { name: 'json', kind: 'boolean', help: 'print one JSON object (docs/CONTRACTS.md §4)' },
    ...WAREHOUSE_FLAGS,
    ...OPTIONAL_KAFKA_FLAGS,
    ...TAIL_TOPIC_FLAGS,
    { name: 'tail-timeout-ms', kind: 'int', placeholder: 'N', default: 30_000, help: 'give up reading the Kafka tail after N ms' },
  ],
  async run(flags, positionals) {
    const [name, ...extra] = positionals;
    if (name === undefined || !isQueryName(name)) throw new UsageError(`name a query: ${QUERY_NAMES.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const parsed = parseGraphRequest(name, optionsOf(flags), Date.now());
    if (!parsed.ok) throw new UsageError(parsed.issues.join('; '));
    const catalog = await existingWarehouseFromFlags(flags);
    const asOf = asOfFromFlags(flags);
    const hot = await oneShotTailFromFlags(flags, 'lakegraph-query', asOf);
    const session = await asUsageError(flags['as-of'] as string | undefined, () => QuerySession.open({ catalog, hot, asOf }));
    try {
      await session.catchUp(flags['tail-timeout-ms'] as number);
      const result = await session.graphQuery(parsed.request);
      if (flags['json']) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(humanOutput(name, result) + '\n');
    } finally {
      await session.close();
    }
    return 0;
  },
};

function optionsOf(flags: FlagValues): Record<string, string> {
  const options: Record<string, string> = {};
  for (const { name } of QUERY_OPTION_FLAGS) if (flags[name] !== undefined) options[name] = String(flags[name]);
  return options;
}

function humanOutput(name: QueryName, result: GraphResult): string {
  const table = formatTable(result.edges as unknown as Record<string, unknown>[], ['last_seen', 'edge_type', 'src_type', 'src_id', 'dst_type', 'dst_id', 'event_count', 'first_seen']);
  if (name !== 'path') return table;
  if (result.path === undefined || result.path.length === 0) return 'no path within the hop limit';
  return `${result.path.map((n) => `${n.node_type}:${n.node_id}`).join(' — ')}\n\n${table}`;
}
