import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { CommitConflictError, NoSuchTableError, type TableIdentifier } from '../../src/lake/catalog/catalog.js';
import type { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { liveFileStats, listSnapshots } from '../../src/lake/scan/inspect.js';
import { ManifestCache } from '../../src/lake/scan/manifest-cache.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { currentSnapshot } from '../../src/lake/spec/table-metadata.js';
import { ReplaceConflictError } from '../../src/lake/table/replace.js';
import { Table } from '../../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { edgeDataFile, scratchCatalogs } from './lake-fixtures.js';

const newCatalog = await scratchCatalogs('lake-commit-');

const EDGES: TableIdentifier = { namespace: ['graph'], name: 'edges' };
let catalog: FilesystemCatalog;
beforeEach(() => {
  catalog = newCatalog();
});

const createEdges = () => Table.ensure(catalog, EDGES, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
const file = (name: string, records: bigint, partition: [number, number] = [20418, 1]) =>
  edgeDataFile(join(catalog.warehouse, 'graph/edges/data', name), partition, records);

/** Carried-property function as the stream layer uses it: derived from the parent on every attempt. */
const countCommits = (key: string) => (parent: Readonly<Record<string, string>> | undefined) => ({
  [key]: String(Number(parent?.[key] ?? 0) + 1),
});

describe('filesystem catalog', () => {
  it('creates a v2 table in the Hadoop layout, idempotently', async () => {
    const first = await createEdges();
    const again = await createEdges();
    assert.equal(again.metadata['table-uuid'], first.metadata['table-uuid']);
    const dir = join(catalog.warehouse, 'graph/edges/metadata');
    assert.deepEqual((await readdir(dir)).sort(), ['v1.metadata.json', 'version-hint.text']);
    assert.equal(await readFile(join(dir, 'version-hint.text'), 'utf8'), '1');
    const json = JSON.parse(await readFile(join(dir, 'v1.metadata.json'), 'utf8'));
    for (const key of [
      'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id',
      'schemas', 'current-schema-id', 'partition-specs', 'default-spec-id', 'last-partition-id',
      'sort-orders', 'default-sort-order-id',
    ]) assert.ok(key in json, `metadata has ${key}`);
    assert.equal(json['format-version'], 2);
    assert.equal(json['last-column-id'], 9);
    assert.equal(json['last-partition-id'], 1001);
    assert.equal(json.location, join(catalog.warehouse, 'graph/edges'));
  });

  it('throws NoSuchTableError for a missing table', async () => {
    await assert.rejects(catalog.loadTable(EDGES), NoSuchTableError);
  });

  it('finds versions committed after a stale or missing version hint', async () => {
    const table = await createEdges();
    await table.newAppend().addFiles([file('a.parquet', 1n)]).commit();
    await table.newAppend().addFiles([file('b.parquet', 1n)]).commit();
    const hint = join(catalog.warehouse, 'graph/edges/metadata/version-hint.text');
    assert.equal(await readFile(hint, 'utf8'), '3');
    await writeFile(hint, '1');
    assert.equal((await catalog.loadTable(EDGES)).snapshots.length, 2);
    await rm(hint);
    assert.equal((await catalog.loadTable(EDGES)).snapshots.length, 2);
  });

  it('rejects a commit whose base is stale', async () => {
    const table = await createEdges();
    const stale = table.metadata;
    await table.newAppend().addFiles([file('a.parquet', 1n)]).commit();
    await assert.rejects(
      catalog.commitTable(EDGES, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
        updates: [],
      }),
      CommitConflictError,
    );
    assert.equal(stale.snapshots.length, 0);
  });
});

describe('append transactions', () => {
  it('chain snapshots with summaries, totals, logs and carried properties', async () => {
    const table = await createEdges();
    const first = await table.newAppend().addFiles([file('a.parquet', 10n), file('b.parquet', 5n, [20419, 2])])
      .setProperties(() => ({ 'lakegraph.offsets.0': '100' }))
      .commit();
    const second = await table.newAppend().addFiles([file('c.parquet', 7n)])
      .setProperties(() => ({ 'lakegraph.offsets.1': '7' }))
      .commit();
    assert.equal(second['parent-snapshot-id'], first['snapshot-id']);
    assert.equal(second['sequence-number'], 2);
    assert.deepEqual(first.summary, {
      'lakegraph.offsets.0': '100',
      operation: 'append',
      'added-data-files': '2',
      'added-records': '15',
      'added-files-size': '2015',
      'deleted-data-files': '0',
      'deleted-records': '0',
      'removed-files-size': '0',
      'changed-partition-count': '2',
      'total-records': '15',
      'total-data-files': '2',
      'total-files-size': '2015',
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
    });
    assert.equal(second.summary['lakegraph.offsets.0'], '100', 'carried from the parent');
    assert.equal(second.summary['lakegraph.offsets.1'], '7');
    assert.equal(second.summary['total-records'], '22');

    const metadata = await catalog.loadTable(EDGES);
    assert.equal(currentSnapshot(metadata)?.['snapshot-id'], second['snapshot-id']);
    assert.deepEqual(metadata.refs, { main: { 'snapshot-id': second['snapshot-id'], type: 'branch' } });
    assert.deepEqual(metadata['snapshot-log'].map((e) => e['snapshot-id']), [first['snapshot-id'], second['snapshot-id']]);
    assert.deepEqual(
      metadata['metadata-log'].map((e) => e['metadata-file']),
      [1, 2].map((v) => join(catalog.warehouse, `graph/edges/metadata/v${v}.metadata.json`)),
    );
    assert.ok(first['snapshot-id'] > 0 && first['snapshot-id'] <= Number.MAX_SAFE_INTEGER);
    const plan = await planFiles(table.io, metadata);
    assert.deepEqual(plan.files.map((f) => f.filePath.split('/').pop()).sort(), ['a.parquet', 'b.parquet', 'c.parquet']);
    assert.deepEqual(await liveFileStats(table.io, metadata), { dataFiles: 3, records: 22n, manifests: 2 });
    assert.deepEqual(listSnapshots(metadata).map((s) => [s.summary.operation, s.isCurrent]), [['append', false], ['append', true]]);
  });

  it('rebase onto a concurrent commit: both land, properties recomputed from the new parent', async () => {
    const writerA = await createEdges();
    const writerB = await Table.load(catalog, EDGES); // same base as A
    const parentsSeenByB: Array<string | undefined> = [];
    await writerA.newAppend().addFiles([file('a.parquet', 3n)]).setProperties(countCommits('lakegraph.commits')).commit();
    const b = await writerB.newAppend().addFiles([file('b.parquet', 4n)])
      .setProperties((parent) => {
        parentsSeenByB.push(parent?.['lakegraph.commits']);
        return countCommits('lakegraph.commits')(parent);
      })
      .commit();
    assert.deepEqual(parentsSeenByB, [undefined, '1'], 'first attempt on the stale base, retry on A\'s snapshot');
    assert.equal(b.summary['lakegraph.commits'], '2');
    assert.equal(b.summary['total-records'], '7');
    assert.equal(b.summary['total-data-files'], '2');
    const metadata = await catalog.loadTable(EDGES);
    assert.equal(metadata.snapshots.length, 2);
    assert.equal(b['parent-snapshot-id'], metadata.snapshots[0]['snapshot-id']);
    assert.equal((await planFiles(writerB.io, metadata)).files.length, 2);
    const metadataFiles = (await readdir(join(catalog.warehouse, 'graph/edges/metadata'))).filter((f) => f.startsWith('snap-'));
    assert.equal(metadataFiles.length, 2, 'the conflicting attempt\'s manifest list was removed');
  });

  it('refuse properties that would not be carried', async () => {
    const table = await createEdges();
    await assert.rejects(table.newAppend().setProperties(() => ({ offsets: '1' })).commit(), /must start with "lakegraph\."/);
  });
});

describe('replace transactions', () => {
  it('swap files: deleted entries leave the scan, totals and sequence numbers stay right', async () => {
    const table = await createEdges();
    const [a, b, c] = [file('a.parquet', 2n), file('b.parquet', 3n), file('c.parquet', 4n, [20419, 5])];
    await table.newAppend().addFiles([a, b]).commit();
    await table.newAppend().addFiles([c]).commit();
    const merged = file('ab.parquet', 5n);
    const replace = await table.newReplace().deleteFiles([a, b]).addFiles([merged]).commit();
    assert.equal(replace.summary.operation, 'replace');
    assert.equal(replace.summary['deleted-data-files'], '2');
    assert.equal(replace.summary['deleted-records'], '5');
    assert.equal(replace.summary['total-records'], '9');
    assert.equal(replace.summary['total-data-files'], '2');
    const plan = await planFiles(table.io, table.metadata);
    assert.deepEqual(plan.files.map((f) => f.filePath.split('/').pop()).sort(), ['ab.parquet', 'c.parquet']);

    // the next append drops the all-deleted manifest from its list
    await table.newAppend().addFiles([file('d.parquet', 1n)]).commit();
    assert.deepEqual(await liveFileStats(table.io, table.metadata), { dataFiles: 3, records: 10n, manifests: 3 });
  });

  it('a plan through a manifest cache equals a fresh plan after appends and a replace', async () => {
    const table = await createEdges();
    const manifests = new ManifestCache();
    const names = async (options: { manifests?: ManifestCache }) => (await planFiles(table.io, table.metadata, options)).files.map((f) => f.filePath.split('/').pop()).sort();
    const [a, b] = [file('a.parquet', 2n), file('b.parquet', 3n)];
    for (const commit of [
      () => table.newAppend().addFiles([a]).commit(),
      () => table.newAppend().addFiles([b]).commit(),
      () => table.newReplace().deleteFiles([a, b]).addFiles([file('ab.parquet', 5n)]).commit(),
      () => table.newAppend().addFiles([file('c.parquet', 1n)]).commit(),
    ]) {
      await commit();
      assert.deepEqual(await names({ manifests }), await names({}));
    }
    assert.deepEqual(await names({ manifests }), ['ab.parquet', 'c.parquet']);
  });

  it('fail with ReplaceConflictError when a file to delete was already replaced', async () => {
    const table = await createEdges();
    const a = file('a.parquet', 2n);
    await table.newAppend().addFiles([a]).commit();
    const compactorA = await Table.load(catalog, EDGES);
    const compactorB = await Table.load(catalog, EDGES);
    await compactorA.newReplace().deleteFiles([a]).addFiles([file('a2.parquet', 2n)]).commit();
    await assert.rejects(
      compactorB.newReplace().deleteFiles([a]).addFiles([file('a3.parquet', 2n)]).commit(),
      (error: unknown) => error instanceof ReplaceConflictError && error.missingFiles[0] === a.filePath,
    );
    assert.equal((await catalog.loadTable(EDGES)).snapshots.length, 2);
  });

  it('rebase onto a concurrent append and keep its files', async () => {
    const table = await createEdges();
    const a = file('a.parquet', 2n);
    await table.newAppend().addFiles([a]).commit();
    const compactor = await Table.load(catalog, EDGES);
    await table.newAppend().addFiles([file('b.parquet', 3n)]).commit();
    await compactor.newReplace().deleteFiles([a]).addFiles([file('a2.parquet', 2n)]).commit();
    const plan = await planFiles(table.io, await catalog.loadTable(EDGES));
    assert.deepEqual(plan.files.map((f) => f.filePath.split('/').pop()).sort(), ['a2.parquet', 'b.parquet']);
  });
});
