/**
 * `lakegraph demo`: generator → decode → map → dedup → Arrow → Parquet → Iceberg commits,
 * all in this process, then a look at what landed: one member's cross-device activity in
 * the last five minutes of event time, and the top titles.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { TOPICS } from '../events/topics.js';
import type { FilesystemCatalog } from '../lake/catalog/filesystem-catalog.js';
import { joinLocation } from '../lake/io/location.js';
import { runLibraryQuery } from '../query/sql-library.js';
import { QuerySession } from '../query/query-session.js';
import { runEmbeddedPipeline } from '../stream/embedded-pipeline.js';
import { RecordGenerator } from '../stream/generator/record-generator.js';
import type { JobCounters } from '../stream/job/topic-job.js';
import { UsageError } from './args.js';
import { DEFAULT_WAREHOUSE, filesystemCatalogAt } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatTable } from './format-table.js';
import { ProgressLine } from './progress-line.js';

/** Marks a warehouse the demo made, so a second run may replace it and never a user's own data. */
const DEMO_MARKER = '.lakegraph-demo';
export const DEMO_PARTITIONS = 4;

/** Empties a warehouse a previous demo made (a directory or an object-store prefix) and marks it as the demo's. */
async function prepareWarehouse({ io, warehouse }: FilesystemCatalog): Promise<void> {
  const marker = joinLocation(warehouse, DEMO_MARKER);
  const files: string[] = [];
  for await (const file of io.list(`${warehouse}/`)) files.push(file.location);
  if (files.length > 0 && !files.includes(marker)) {
    throw new UsageError(`--warehouse ${warehouse} already holds data the demo did not make; pass an empty or new directory or prefix`);
  }
  for (const file of files) await io.delete(file);
  await io.write(marker, 'made by `lakegraph demo`; the next demo run replaces what is here\n');
}

function parseStartTime(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--start-time: "${text}" is neither epoch milliseconds nor an ISO-8601 time`);
  return ms;
}

function statusLine(c: JobCounters, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(c.records / seconds) : 0;
  const dedup = c.accepted > 0 ? ((100 * c.duplicates) / c.accepted).toFixed(2) : '0.00';
  return (
    `${c.records.toLocaleString('en-US')} events  ${rate.toLocaleString('en-US')}/s  accepted ${c.accepted.toLocaleString('en-US')}  ` +
    `rejected ${c.rejected.toLocaleString('en-US')}  duplicates ${dedup}%  snapshots ${c.snapshots}  ${seconds.toFixed(1)}s`
  );
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the embedded pipeline on generated events into an Iceberg warehouse (filesystem layout), then query it.',
  usage: 'lakegraph demo [--events N] [--warehouse DIR|s3://B/P] [--seed S] [--start-time T] [--commit-interval-ms N]',
  flags: [
    { name: 'events', kind: 'int', placeholder: 'N', default: 1_000_000, help: 'events to generate (duplicates and bad records included)' },
    { name: 'warehouse', kind: 'string', placeholder: 'DIR|s3://B/P', default: DEFAULT_WAREHOUSE, help: 'where to write the tables: a directory, or object storage with conditional PUTs (replaced if a previous demo made it)' },
    { name: 'seed', kind: 'int', placeholder: 'S', default: 1, help: 'generator seed; the same seed gives the same events' },
    { name: 'start-time', kind: 'string', placeholder: 'T', help: 'event time of the first event, epoch ms or ISO-8601 (default: one hour ago)' },
    { name: 'commit-interval-ms', kind: 'int', placeholder: 'N', default: 2_000, help: 'how often each topic job commits' },
  ],
  async run(flags) {
    const events = flags['events'] as number;
    if (events < 1) throw new UsageError('--events must be at least 1');
    const baseTs = parseStartTime(flags['start-time']);
    const catalog = await filesystemCatalogAt(flags['warehouse'] as string);
    await prepareWarehouse(catalog);
    const generator = new RecordGenerator({ events, seed: flags['seed'] as number, partitions: DEMO_PARTITIONS, baseTs });
    const progress = new ProgressLine();
    process.stderr.write(`lakegraph demo: ${events.toLocaleString('en-US')} events into ${catalog.warehouse}\n`);
    let last = '';
    const totals = await runEmbeddedPipeline({
      catalog,
      generator,
      topics: TOPICS,
      partitions: DEMO_PARTITIONS,
      commitIntervalMs: flags['commit-interval-ms'] as number,
      onProgress: (counters, elapsed) => progress.update((last = statusLine(counters, elapsed))),
    });
    progress.done(last);
    process.stdout.write(`\nCommitted ${totals.snapshots} snapshots: ${totals.edgeRows.toLocaleString('en-US')} edge rows, ${totals.nodeRows.toLocaleString('en-US')} node rows, ${totals.rejected} rejected events.\n`);

    const session = await QuerySession.open({ catalog });
    try {
      await session.query(async ({ connection }) => {
        const window = 'SELECT max(last_seen) AS newest, max(last_seen) - INTERVAL 5 MINUTE AS since FROM edges';
        const [{ newest, since }] = (await connection.runAndReadAll(window)).getRowObjects() as [Record<'newest' | 'since', DuckDBValue>];
        if (newest === null) {
          process.stdout.write('No edges were committed.\n');
          return;
        }
        const [member] = await runLibraryQuery(connection, 'busiest_member', { since });
        if (member !== undefined) {
          const { account_id, devices, business_lines, topics } = member as { account_id: string; devices: number; business_lines: number; topics: string };
          const activity = await runLibraryQuery(connection, 'member_activity', { account_id, profile_id: null, since });
          process.stdout.write(
            `\nAccount ${account_id}: activity in the last 5 minutes of event time (up to ${String(newest)}), ` +
              `on ${devices} devices in ${business_lines} business lines (${topics}):\n`,
          );
          process.stdout.write(formatTable(activity, ['last_seen', 'edge_type', 'src_id', 'dst_type', 'dst_id', 'event_count']) + '\n');
        }
        const titles = await runLibraryQuery(connection, 'top_titles', { top_n: 10 });
        process.stdout.write('\nTop titles:\n' + formatTable(titles) + '\n');
        process.stdout.write(`\nExplore it: npx lakegraph sql --warehouse ${flags['warehouse']} -c "SELECT edge_type, count(*) FROM edges GROUP BY ALL"\n`);
      });
    } finally {
      await session.close();
    }
    return 0;
  },
};
