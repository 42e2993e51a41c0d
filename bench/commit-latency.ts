/**
 * What one Iceberg commit costs and how many a table takes per second: the figures
 * docs/SCALING.md sizes commit intervals and committers from.
 *
 * 1. Serial: `--commits` appends of one small data file each to a fresh `edges` table,
 *    latency of `commit()` alone (the data files are written beforehand), in buckets of
 *    history length, since each commit rewrites a manifest list that grows with it.
 * 2. Concurrent: 1, 2, 4 and 8 committers appending to one table for `--seconds` each (each
 *    with its own table handle, as separate processes would have): commits landed per
 *    second and conflict retries per commit.
 *
 * Both on the filesystem catalog (local disk) and, when LAKEGRAPH_CATALOG_URI is set, on the
 * REST catalog (its warehouse, e.g. S3 behind `infra/local/up`). Each run uses a namespace of
 * its own (`bench_commit_<time>`), left behind.
 *
 *   npx tsc -p . && eval "$(infra/local/env)" && node dist/bench/commit-latency.js [--commits 400] [--seconds 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Catalog } from '../src/lake/catalog/catalog.js';
import { FilesystemCatalog } from '../src/lake/catalog/filesystem-catalog.js';
import { RestCatalog } from '../src/lake/catalog/rest-catalog.js';
import type { DataFile } from '../src/lake/spec/data-file.js';
import type { Snapshot } from '../src/lake/spec/snapshot.js';
import { Table } from '../src/lake/table/table.js';
import { writeDataFiles } from '../src/lake/table/write-data-files.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA, EDGES_SORT_ORDER } from '../src/lake/tables.js';
import { syntheticEdges } from './edge-table.js';
import { nearestRank } from './tail-traffic.js';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '400' }, seconds: { type: 'string', default: '10' } } });
const COMMITS = Number(values.commits);
const SECONDS = Number(values.seconds);
const CONCURRENCY = [1, 2, 4, 8];
const BUCKET = 100;

async function openTable(catalog: Catalog, namespace: string): Promise<Table> {
  return Table.ensure(catalog, { namespace: [namespace], name: 'edges' }, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC, sortOrder: EDGES_SORT_ORDER });
}

/** `count` distinct small data files of `table` (one per partition a batch touches). */
async function smallFiles(table: Table, count: number): Promise<DataFile[]> {
  const files: DataFile[] = [];
  for (let seed = 1; files.length < count; seed++) files.push(...(await writeDataFiles(table, syntheticEdges(64, seed), { sort: false })));
  return files.slice(0, count);
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** The attempt that landed, from the manifest list's name (`snap-<id>-<attempt>-<uuid>.avro`). */
function attemptOf(snapshot: Snapshot): number {
  return Number(/snap-\d+-(\d+)-/.exec(snapshot['manifest-list'])?.[1] ?? 1);
}

async function serial(catalog: Catalog, namespace: string): Promise<void> {
  const table = await openTable(catalog, `${namespace}_serial`);
  const files = await smallFiles(table, COMMITS);
  const latencies: number[] = [];
  for (const file of files) {
    const started = performance.now();
    await table.newAppend().addFiles([file]).commit();
    latencies.push(performance.now() - started);
  }
  console.log('| history (commits) | p50 | p99 | max |');
  console.log('| --- | --- | --- | --- |');
  for (let from = 0; from < latencies.length; from += BUCKET) {
    const bucket = latencies.slice(from, from + BUCKET).sort((a, b) => a - b);
    console.log(`| ${from + 1}–${from + bucket.length} | ${ms(nearestRank(bucket, 0.5))} | ${ms(nearestRank(bucket, 0.99))} | ${ms(bucket.at(-1)!)} |`);
  }
}

async function concurrent(catalog: Catalog, namespace: string): Promise<void> {
  console.log('| committers | commits/s landed | mean retries per commit | commit p50 | commit p99 |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const committers of CONCURRENCY) {
    const table = await openTable(catalog, `${namespace}_c${committers}`);
    // Enough files for the fastest rate seen in the serial run, with room to spare.
    const pool = await smallFiles(table, committers * 60 * SECONDS);
    const handles = await Promise.all(Array.from({ length: committers }, () => Table.load(catalog, table.id)));
    const latencies: number[] = [];
    let retries = 0;
    const deadline = performance.now() + SECONDS * 1000;
    await Promise.all(
      handles.map(async (handle) => {
        while (performance.now() < deadline && pool.length > 0) {
          const file = pool.pop()!;
          const started = performance.now();
          const snapshot = await handle.newAppend().addFiles([file]).commit();
          latencies.push(performance.now() - started);
          retries += attemptOf(snapshot) - 1;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    console.log(`| ${committers} | ${(latencies.length / SECONDS).toFixed(1)} | ${(retries / latencies.length).toFixed(2)} | ${ms(nearestRank(latencies, 0.5))} | ${ms(nearestRank(latencies, 0.99))} |`);
  }
}

async function measure(label: string, catalog: Catalog, namespace: string): Promise<void> {
  console.log(`\n## ${label} (1-min load ${loadavg()[0].toFixed(2)} at start)\n`);
  await serial(catalog, namespace);
  console.log('');
  await concurrent(catalog, namespace);
  console.log(`\n(1-min load ${loadavg()[0].toFixed(2)} at the end)`);
}

const namespace = `bench_commit_${Date.now()}`;
const warehouse = await mkdtemp(join(tmpdir(), 'bench-commit-'));
try {
  await measure('filesystem catalog, local disk', new FilesystemCatalog(warehouse), namespace);
} finally {
  await rm(warehouse, { recursive: true, force: true });
}
const uri = process.env['LAKEGRAPH_CATALOG_URI'];
if (uri) await measure(`REST catalog ${uri}`, new RestCatalog({ uri }), namespace);
else console.log('\nLAKEGRAPH_CATALOG_URI is not set: no REST catalog figures.');
