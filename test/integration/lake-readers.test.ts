/**
 * Tables we write are read by PyIceberg and DuckDB's iceberg extension exactly as we
 * read them ourselves: same rows, same aggregates, and the same pruning by partition.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type * as arrow from 'apache-arrow';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { eq } from '../../src/lake/scan/filter.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA, EDGES_SORT_ORDER } from '../../src/lake/tables.js';
import { aggregatesOf, edgeRows, type EdgeAggregates } from './lake-edge-rows.js';
import { runPython } from '../support/services.js';

interface ReaderReport {
  pyiceberg: EdgeAggregates & { filteredRows: number; filteredFiles: number; snapshots: number; currentOperation: string; currentSummary: Record<string, string> };
  duckdb: EdgeAggregates & { filteredRows: number };
}

const warehouse = await mkdtemp(join(tmpdir(), 'lake-readers-'));
after(() => rm(warehouse, { recursive: true, force: true }));

it('PyIceberg and DuckDB read appends and a replace as we do', async () => {
  const catalog = new FilesystemCatalog(warehouse);
  const table = await Table.ensure(catalog, { namespace: ['graph'], name: 'edges' }, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC, sortOrder: EDGES_SORT_ORDER });
  const start = Date.parse('2025-11-24T10:00:00Z') * 1000;
  const batches: arrow.Table[] = [];
  const filesOfBatch = [];
  for (let seed = 0; seed < 3; seed++) {
    const rows = edgeRows(seed, 300, start + seed * 3_600_000_000);
    const files = await writeDataFiles(table, rows);
    await table.newAppend().addFiles(files).setProperties(() => ({ 'lakegraph.batches': String(seed + 1) })).commit();
    batches.push(rows);
    filesOfBatch.push(files);
  }
  // Compaction-style replace: batch 1's rows rewritten into new files.
  const rewritten = await writeDataFiles(table, batches[1]);
  await table.newReplace().deleteFiles(filesOfBatch[1]).addFiles(rewritten).commit();

  const expected = aggregatesOf(batches);
  const member = 'p-1-7';
  const memberRows = 300 / 20; // only batch 1 has p-1-*; it spreads 300 rows evenly over 20 members
  const ours = await planFiles(table.io, table.metadata);
  assert.equal(ours.files.reduce((n, f) => n + f.recordCount, 0n), BigInt(expected.rows));
  const oursFiltered = await planFiles(table.io, table.metadata, { filter: [eq('src_id', member)] });
  assert.ok(oursFiltered.files.length < ours.files.length / 4, 'bucket and bounds pruning skip most files');

  const report = await runPython<ReaderReport>({ script: 'test/integration/lake_readers.py' }, [join(warehouse, 'graph/edges'), member]);
  const { filteredRows, filteredFiles, snapshots, currentOperation, currentSummary, ...pyAggregates } = report.pyiceberg;
  assert.deepEqual(pyAggregates, expected);
  assert.equal(filteredRows, memberRows);
  assert.equal(filteredFiles, oursFiltered.files.length, 'PyIceberg prunes to the same files (same bucket hash)');
  assert.equal(snapshots, 4);
  assert.equal(currentSummary['lakegraph.batches'], '3', 'carried through the replace');
  assert.equal(currentOperation, 'replace');
  assert.equal(currentSummary['total-records'], String(expected.rows));

  const { filteredRows: duckFiltered, ...duckAggregates } = report.duckdb;
  assert.deepEqual(duckAggregates, expected);
  assert.equal(duckFiltered, memberRows);
});
