/**
 * Snapshots other engines commit: 64-bit ids (Spark, Trino and PyIceberg pick random
 * 63-bit ones) and no `lakegraph.*` summary keys. lakegraph reads them exactly, finds its
 * properties in the nearest ancestor that has them, and commits on top with the ids intact.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TableIdentifier } from '../../src/lake/catalog/catalog.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { writeManifest } from '../../src/lake/manifest/manifest-file.js';
import { readManifestList, writeManifestList } from '../../src/lake/manifest/manifest-list.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { carriedProperties, ExpiredAncestryError, findCarrier } from '../../src/lake/spec/carried-properties.js';
import { ManifestEntryStatus } from '../../src/lake/spec/manifest.js';
import type { Snapshot } from '../../src/lake/spec/snapshot.js';
import { currentSnapshot, type TableMetadata } from '../../src/lake/spec/table-metadata.js';
import { Table } from '../../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { offsetsKey, positionsOf } from '../../src/stream/job/source-positions.js';
import { edgeDataFile } from './lake-fixtures.js';

const root = await mkdtemp(join(tmpdir(), 'lake-foreign-'));
after(() => rm(root, { recursive: true, force: true }));

const PYICEBERG_APPEND = 6342010702535090087n;
const SPARK_DELETE = 9223372036854775807n;

describe('carriedProperties: offsets from the nearest ancestor that has them', () => {
  const snapshot = (id: bigint, parent: bigint | undefined, summary: Record<string, string>): Snapshot => ({
    'snapshot-id': id,
    ...(parent === undefined ? {} : { 'parent-snapshot-id': parent }),
    'sequence-number': 0,
    'timestamp-ms': 0,
    'manifest-list': '',
    summary: { operation: 'append', ...summary },
    'schema-id': 0,
  });
  const tableOf = (snapshots: Snapshot[]) =>
    ({ location: 's3://b/wh/graph/edges', snapshots, refs: { main: { 'snapshot-id': snapshots.at(-1)!['snapshot-id'], type: 'branch' } } }) as unknown as TableMetadata;
  const older = snapshot(1n, undefined, { [offsetsKey('t')]: '{"0":5}' });
  const ours = snapshot(2n, 1n, { [offsetsKey('t')]: '{"0":10,"1":3}', 'spark.app.id': 'not ours' });
  const foreignAppend = snapshot(PYICEBERG_APPEND, 2n, {});
  const foreignDelete = snapshot(SPARK_DELETE, PYICEBERG_APPEND, { 'added-records': '0' });

  it("are the current snapshot's own when lakegraph committed it", () => {
    assert.deepEqual(carriedProperties(tableOf([older, ours])), { [offsetsKey('t')]: '{"0":10,"1":3}' });
  });

  it('skip the snapshots other engines committed on top, however many', () => {
    const metadata = tableOf([older, ours, foreignAppend, foreignDelete]);
    assert.deepEqual([...positionsOf(carriedProperties(metadata), 't').offsets], [[0, 10], [1, 3]]);
    const { carrier, foreign } = findCarrier(metadata);
    assert.equal(carrier?.['snapshot-id'], 2n);
    assert.deepEqual(foreign.map((s) => s['snapshot-id']), [SPARK_DELETE, PYICEBERG_APPEND]);
    assert.deepEqual(carriedProperties(metadata, foreignAppend), carriedProperties(metadata), 'from any snapshot');
  });

  it('are empty in an empty table and in one only other engines wrote', () => {
    assert.deepEqual(carriedProperties({ location: 'x', snapshots: [], refs: {} } as unknown as TableMetadata), {});
    assert.deepEqual(carriedProperties(tableOf([snapshot(7n, undefined, {}), snapshot(8n, 7n, {})])), {});
  });

  it('refuse, naming the table and the snapshots, when the ancestor with them was expired', () => {
    const expired = tableOf([foreignAppend, foreignDelete]);
    assert.throws(() => carriedProperties(expired), (error: unknown) => {
      assert.ok(error instanceof ExpiredAncestryError);
      assert.equal(error.missing, 2n);
      assert.match(error.message, /s3:\/\/b\/wh\/graph\/edges/);
      assert.match(error.message, new RegExp(`${SPARK_DELETE} ← ${PYICEBERG_APPEND}.*ancestor 2\\b`));
      return true;
    });
  });
});

describe('filesystem catalog: a metadata file another engine wrote, with 64-bit snapshot ids', () => {
  const EDGES: TableIdentifier = { namespace: ['graph'], name: 'edges' };

  it('loads it exactly, commits on top carrying the offsets, and writes the ids back digit for digit', async () => {
    const catalog = new FilesystemCatalog(join(root, 'wh'));
    const table = await Table.ensure(catalog, EDGES, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
    const dataFile = (name: string) => edgeDataFile(join(catalog.warehouse, 'graph/edges/data', name), [20418, 1], 4n);
    const ours = await table.newAppend().addFiles([dataFile('ours.parquet')]).setProperties(() => ({ [offsetsKey('t')]: '{"0":100}' })).commit();

    // Another engine appends a file (snapshot PYICEBERG_APPEND), then deletes nothing (SPARK_DELETE), and writes v3.
    const metadataDir = join(catalog.warehouse, 'graph/edges/metadata');
    const context = { schema: EDGES_SCHEMA, spec: EDGES_PARTITION_SPEC, snapshotId: PYICEBERG_APPEND, sequenceNumber: 2 };
    const added = await writeManifest(catalog.io, join(metadataDir, 'foreign-m0.avro'), [
      { status: ManifestEntryStatus.Added, snapshotId: PYICEBERG_APPEND, sequenceNumber: null, fileSequenceNumber: null, dataFile: dataFile('foreign.parquet') },
    ], context);
    const foreignList = join(metadataDir, `snap-${PYICEBERG_APPEND}.avro`);
    const manifests = [added, ...(await readManifestList(catalog.io, ours['manifest-list']))];
    await writeManifestList(catalog.io, foreignList, manifests, { snapshotId: PYICEBERG_APPEND, parentSnapshotId: ours['snapshot-id'], sequenceNumber: 2 });
    const v2 = JSON.parse(await readFile(join(metadataDir, 'v2.metadata.json'), 'utf8'));
    // Placeholders, swapped for the 64-bit literals in the text: JSON.parse/stringify would round them.
    const [append, del] = [900000000000001, 900000000000002];
    const foreign = (id: number, parent: number, sequence: number, operation: string) => ({
      'snapshot-id': id, 'parent-snapshot-id': parent, 'sequence-number': sequence, 'timestamp-ms': Date.now(),
      'manifest-list': foreignList, summary: { operation, 'added-data-files': '1' }, 'schema-id': 0,
    });
    const v3 = {
      ...v2,
      'last-sequence-number': 3,
      'current-snapshot-id': del,
      snapshots: [...v2.snapshots, foreign(append, Number(ours['snapshot-id']), 2, 'append'), foreign(del, append, 3, 'delete')],
      refs: { main: { 'snapshot-id': del, type: 'branch' } },
    };
    const v3Text = JSON.stringify(v3, null, 2).replaceAll(String(append), String(PYICEBERG_APPEND)).replaceAll(String(del), String(SPARK_DELETE));
    await writeFile(join(metadataDir, 'v3.metadata.json'), v3Text);
    await writeFile(join(metadataDir, 'version-hint.text'), '3');

    const loaded = await Table.load(catalog, EDGES);
    assert.equal(currentSnapshot(loaded.metadata)?.['snapshot-id'], SPARK_DELETE);
    assert.equal(currentSnapshot(loaded.metadata)?.['parent-snapshot-id'], PYICEBERG_APPEND);
    const seen: Array<Readonly<Record<string, string>>> = [];
    const mine = await loaded.newAppend().addFiles([dataFile('after.parquet')])
      .setProperties((carried) => {
        seen.push(carried);
        return { [offsetsKey('t')]: '{"0":150}' };
      })
      .commit();
    assert.deepEqual(seen, [{ [offsetsKey('t')]: '{"0":100}' }], "the offsets of lakegraph's snapshot, below the foreign ones");
    assert.equal(mine['parent-snapshot-id'], SPARK_DELETE);
    assert.equal(mine.summary['total-records'], undefined, 'no totals to roll forward from a parent without them');

    const v4Text = await readFile(join(metadataDir, 'v4.metadata.json'), 'utf8');
    for (const id of [PYICEBERG_APPEND, SPARK_DELETE]) assert.match(v4Text, new RegExp(`"snapshot-id": ${id}\\b`));
    assert.match(v4Text, new RegExp(`"parent-snapshot-id": ${SPARK_DELETE}\\b`));
    assert.match(v4Text, new RegExp(`"parent-snapshot-id": ${PYICEBERG_APPEND}\\b`));

    const reloaded = await catalog.loadTable(EDGES);
    assert.deepEqual(reloaded['snapshot-log'].map((e) => e['snapshot-id']), [ours['snapshot-id'], mine['snapshot-id']]);
    assert.deepEqual(reloaded.snapshots.map((s) => s['snapshot-id']), [ours['snapshot-id'], PYICEBERG_APPEND, SPARK_DELETE, mine['snapshot-id']]);
    const files = (await planFiles(catalog.io, reloaded)).files.map((f) => f.filePath.split('/').pop()).sort();
    assert.deepEqual(files, ['after.parquet', 'foreign.parquet', 'ours.parquet']);
  });
});

describe("filesystem catalog: another engine rewrote the table and expired every snapshot with lakegraph's properties", () => {
  const EDGES: TableIdentifier = { namespace: ['graph'], name: 'edges' };
  const SPARK_REPLACE = 8156300238256439168n;

  /** v2: lakegraph's append with offsets; v3: + a foreign replace on top; v4: the replace alone (what Spark's expire_snapshots(retain_last => 1) leaves). */
  async function rewrittenAndExpired(name: string) {
    const catalog = new FilesystemCatalog(join(root, name));
    const table = await Table.ensure(catalog, EDGES, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
    const file = edgeDataFile(join(catalog.warehouse, 'graph/edges/data/ours.parquet'), [20418, 1], 4n);
    const ours = await table.newAppend().addFiles([file]).setProperties(() => ({ [offsetsKey('t')]: '{"0":100}' })).commit();
    const metadataDir = join(catalog.warehouse, 'graph/edges/metadata');
    const placeholder = 900000000000003;
    const replace = {
      'snapshot-id': placeholder, 'parent-snapshot-id': Number(ours['snapshot-id']), 'sequence-number': 2, 'timestamp-ms': Date.now(),
      'manifest-list': ours['manifest-list'], summary: { operation: 'replace', 'added-data-files': '1', 'deleted-data-files': '1' }, 'schema-id': 0,
    };
    const v2 = JSON.parse(await readFile(join(metadataDir, 'v2.metadata.json'), 'utf8'));
    const log = (version: number) => ({ 'timestamp-ms': Date.now(), 'metadata-file': `file:${metadataDir}/v${version}.metadata.json` });
    const v3 = { ...v2, 'last-sequence-number': 2, 'current-snapshot-id': placeholder, snapshots: [...v2.snapshots, replace], refs: { main: { 'snapshot-id': placeholder, type: 'branch' } }, 'metadata-log': [...v2['metadata-log'], log(2)] };
    const v4 = { ...v3, snapshots: [replace], 'snapshot-log': [{ 'timestamp-ms': replace['timestamp-ms'], 'snapshot-id': placeholder }], 'metadata-log': [...v3['metadata-log'], log(3)] };
    for (const [version, json] of [[3, v3], [4, v4]] as const) {
      await writeFile(join(metadataDir, `v${version}.metadata.json`), JSON.stringify(json, null, 2).replaceAll(String(placeholder), String(SPARK_REPLACE)));
    }
    await writeFile(join(metadataDir, 'version-hint.text'), '4');
    return { catalog, ours, metadataDir };
  }

  it("finds the offsets in the older metadata file metadata-log lists, and carries them onto lakegraph's next commit", async () => {
    const { catalog, ours } = await rewrittenAndExpired('expired');
    const loaded = await Table.load(catalog, EDGES);
    assert.deepEqual(loaded.metadata.snapshots.map((s) => s['snapshot-id']), [SPARK_REPLACE], 'only the replace is left');
    assert.deepEqual(carriedProperties(loaded.metadata), { [offsetsKey('t')]: '{"0":100}' });
    assert.equal(findCarrier(loaded.metadata).carrier?.['snapshot-id'], ours['snapshot-id']);

    const seen: Array<Readonly<Record<string, string>>> = [];
    const mine = await loaded.newAppend().addFiles([edgeDataFile(join(catalog.warehouse, 'graph/edges/data/after.parquet'), [20418, 1], 4n)])
      .setProperties((carried) => {
        seen.push(carried);
        return { [offsetsKey('t')]: '{"0":150}' };
      })
      .commit();
    assert.deepEqual(seen, [{ [offsetsKey('t')]: '{"0":100}' }]);
    assert.equal(mine['parent-snapshot-id'], SPARK_REPLACE);
    assert.deepEqual(carriedProperties(await catalog.loadTable(EDGES)), { [offsetsKey('t')]: '{"0":150}' });
  });

  it('refuses, as before, when the older metadata files are gone too', async () => {
    const { catalog, metadataDir, ours } = await rewrittenAndExpired('expired-and-cleaned');
    for (const version of [1, 2, 3]) await rm(join(metadataDir, `v${version}.metadata.json`));
    const metadata = await catalog.loadTable(EDGES);
    assert.throws(() => carriedProperties(metadata), (error: unknown) => error instanceof ExpiredAncestryError && error.missing === ours['snapshot-id']);
  });
});
