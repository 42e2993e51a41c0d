/**
 * `lakegraph repartition`: changes how a graph table partitions the data files written
 * from now on (Iceberg partition spec evolution), on a live table. Files already written
 * keep their spec; queries, the edge index and other engines read both; `lakegraph
 * compact` rewrites the old ones into the new spec. Running ingest processes take the new
 * spec with their next commit.
 */
import { groupBy } from '../common/group-by.js';
import { stringifyJson } from '../common/lossless-json.js';
import { sizeOf } from '../maintenance/rewrite-data-files.js';
import { planFiles } from '../lake/scan/plan-files.js';
import { formatPartitionSpec, parsePartitionSpecText, PartitionSpecSyntaxError } from '../lake/spec/partition-spec-text.js';
import { currentSchema } from '../lake/spec/table-metadata.js';
import { evolvePartitionSpec } from '../lake/table/evolve-partition-spec.js';
import { Table } from '../lake/table/table.js';
import { NAMESPACE, TABLE_NAMES, type TableName } from '../lake/tables.js';
import { UsageError } from './args.js';
import { existingWarehouseFromFlags, WAREHOUSE_FLAGS } from './catalog-flags.js';
import type { Command } from './command.js';

function tableNameOf(value: unknown): TableName {
  const name = String(value ?? '').replace(new RegExp(`^${NAMESPACE}\\.`), '');
  if (!(TABLE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--table: expected one of ${TABLE_NAMES.join(', ')}, got "${String(value ?? '')}"`);
  return name as TableName;
}

export const repartitionCommand: Command = {
  name: 'repartition',
  summary: 'Change how a graph table partitions the data files written from now on (Iceberg partition spec evolution); existing files keep their spec until `lakegraph compact` rewrites them.',
  usage: "lakegraph repartition --table edges --spec 'day(last_seen), bucket(16, src_id)' [--dry-run] [--json] [--warehouse DIR | --catalog-uri URL]",
  flags: [
    { name: 'table', kind: 'string', placeholder: 'T', help: `the table: ${TABLE_NAMES.join(', ')}` },
    { name: 'spec', kind: 'string', placeholder: 'FIELDS', help: 'comma-separated transforms: day(col), hour(col), bucket(N, col), identity(col) or col' },
    { name: 'dry-run', kind: 'boolean', help: 'say what would change, commit nothing' },
    { name: 'json', kind: 'boolean', help: 'print one JSON object' },
    ...WAREHOUSE_FLAGS,
  ],
  async run(flags) {
    if (flags['table'] === undefined) throw new UsageError('--table is required (edges, nodes or rejected_events)');
    if (flags['spec'] === undefined) throw new UsageError("--spec is required, e.g. --spec 'day(last_seen), bucket(16, src_id)'");
    const name = tableNameOf(flags['table']);
    const catalog = await existingWarehouseFromFlags(flags);
    const table = await Table.load(catalog, { namespace: [NAMESPACE], name });
    const schema = currentSchema(table.metadata);
    let fields;
    try {
      fields = parsePartitionSpecText(flags['spec'] as string, schema);
    } catch (error) {
      if (error instanceof PartitionSpecSyntaxError) throw new UsageError(`--spec: ${error.message}`);
      throw error;
    }
    const dryRun = flags['dry-run'] === true;
    const change = await evolvePartitionSpec(table, fields, { dryRun });
    // What stays in other specs until compaction rewrites it.
    const live = new Map([...groupBy((await planFiles(catalog.io, change.metadata)).files, (f) => f.specId)].map(([specId, files]) => [specId, sizeOf(files)]));
    const older = [...live].filter(([specId]) => specId !== change.to['spec-id']);

    if (flags['json'] === true) {
      const json = {
        table: `${NAMESPACE}.${name}`,
        dryRun,
        change: change.kind,
        from: { specId: change.from['spec-id'], spec: formatPartitionSpec(change.from, schema), fields: change.from.fields },
        to: { specId: change.to['spec-id'], spec: formatPartitionSpec(change.to, schema), fields: change.to.fields },
        liveFilesBySpec: Object.fromEntries([...live].map(([specId, c]) => [specId, c])),
      };
      process.stdout.write(stringifyJson(json) + '\n');
      return 0;
    }
    const from = `spec ${change.from['spec-id']} (${formatPartitionSpec(change.from, schema)})`;
    const to = `spec ${change.to['spec-id']} (${formatPartitionSpec(change.to, schema)})`;
    const lines = [
      change.kind === 'unchanged'
        ? `${NAMESPACE}.${name} is already partitioned by ${from}; nothing to do`
        : `${NAMESPACE}.${name}: ${dryRun ? 'would change' : 'changed'} the partitioning of new files from ${from} to ${to}${change.kind === 'existing' ? ', an earlier spec of the table' : ''}`,
    ];
    if (older.length > 0) {
      const described = older.map(([specId, c]) => `${c.files} file(s), ${c.records} row(s) in spec ${specId}`).join('; ');
      lines.push(`live data in other specs: ${described}; readers read them as they are, and \`lakegraph compact\` rewrites them into spec ${change.to['spec-id']}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
