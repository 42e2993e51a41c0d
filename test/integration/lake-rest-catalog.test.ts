/**
 * RestCatalog against the real Apache Iceberg REST catalog server (`infra/local/up`,
 * or LAKEGRAPH_CATALOG_URI): table creation, appends through the shared transaction
 * code, conflicts between writers resolved by rebase-and-retry, and PyIceberg reading
 * the result through its own REST client. Every table gets a fresh name and is dropped.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type * as arrow from 'apache-arrow';
import { IcebergRestCatalog } from 'iceberg-js';
import type { Catalog, CreateTableRequest, TableCommit, TableIdentifier } from '../../src/lake/catalog/catalog.js';
import { CommitConflictError, formatTableIdentifier, NoSuchTableError } from '../../src/lake/catalog/catalog.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { CatalogUnreachableError } from '../../src/lake/catalog/rest-errors.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import { listSnapshots } from '../../src/lake/scan/inspect.js';
import { currentSchema, currentSnapshot, defaultPartitionSpec } from '../../src/lake/spec/table-metadata.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA, NAMESPACE } from '../../src/lake/tables.js';
import { concurrentBatch, writerCommitsKey } from './lake-concurrent-batches.js';
import { edgeRows } from './lake-edge-rows.js';
import { deleteFilesUnder, filesUnder } from '../support/lake-files.js';
import { runPython } from '../support/services.js';

const CATALOG_URI = process.env.LAKEGRAPH_CATALOG_URI ?? 'http://127.0.0.1:8181';
const EDGES: CreateTableRequest = { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC };
const START_MICROS = Date.parse('2025-11-24T10:00:00Z') * 1000;

const runId = randomBytes(4).toString('hex');
const usedTables: TableIdentifier[] = [];
function freshTable(purpose: string): TableIdentifier {
  const id = { namespace: [NAMESPACE], name: `rest_${purpose}_${runId}` };
  usedTables.push(id);
  return id;
}

after(async () => {
  const admin = new IcebergRestCatalog({ baseUrl: CATALOG_URI });
  for (const id of usedTables) {
    const restId = { namespace: [...id.namespace], name: id.name };
    const location = await admin.loadTable(restId).then((m) => m.location, () => undefined);
    if (location === undefined) continue;
    // Not purged by the server, which leaves directories behind.
    await admin.dropTable(restId, { purge: false });
    await deleteFilesUnder(location);
  }
});

/** Passes through to a catalog, counting the commits the server refused as conflicts. */
class ConflictCountingCatalog implements Catalog {
  conflicts = 0;
  constructor(private readonly inner: Catalog) {}
  get io() {
    return this.inner.io;
  }
  loadTable(id: TableIdentifier) {
    return this.inner.loadTable(id);
  }
  createTable(id: TableIdentifier, request: CreateTableRequest) {
    return this.inner.createTable(id, request);
  }
  async commitTable(id: TableIdentifier, commit: TableCommit) {
    try {
      return await this.inner.commitTable(id, commit);
    } catch (error) {
      if (error instanceof CommitConflictError) this.conflicts++;
      throw error;
    }
  }
}

type Row = Record<string, string | number>;

/** Rows as plain values; timestamps as epoch micros, longs as numbers (all below 2^53 here). */
function rowsOf(tables: readonly arrow.Table[]): Row[] {
  const rows: Row[] = [];
  for (const table of tables) {
    const columns = table.schema.fields.map((f) => [f.name, table.getChild(f.name)!.toArray()] as const);
    for (let i = 0; i < table.numRows; i++) {
      rows.push(Object.fromEntries(columns.map(([name, values]) => [name, typeof values[i] === 'bigint' ? Number(values[i]) : values[i]])));
    }
  }
  return sorted(rows);
}

function sorted(rows: Row[]): Row[] {
  const key = (row: Row) => JSON.stringify(EDGES_SCHEMA.fields.map((f) => row[f.name]));
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A loopback port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface PyIcebergView {
  currentSnapshotId: number | bigint;
  snapshots: number;
  rows: Row[];
}

function readWithPyIceberg(id: TableIdentifier): Promise<PyIcebergView> {
  return runPython<PyIcebergView>({ script: 'test/integration/lake_rest_pyiceberg.py' }, [CATALOG_URI, formatTableIdentifier(id)]);
}

describe('RestCatalog against the Apache Iceberg REST catalog server', () => {
  it('creates graph.<table> once, with our field ids; creating it again returns it', async () => {
    const id = freshTable('create');
    const first = await new RestCatalog({ uri: CATALOG_URI }).createTable(id, EDGES);
    // Sequential on purpose: racing creates of one name have wedged the local server's
    // file-backed SQLite (SQLITE_BUSY on every later write), breaking it for everyone.
    const again = await new RestCatalog({ uri: CATALOG_URI }).createTable(id, EDGES);
    assert.equal(again['table-uuid'], first['table-uuid']);

    assert.equal(first['format-version'], 2);
    assert.deepEqual(currentSchema(first).fields, EDGES_SCHEMA.fields);
    assert.deepEqual(defaultPartitionSpec(first).fields, EDGES_PARTITION_SPEC.fields);
    assert.equal(currentSnapshot(first), undefined);
    // The server chose the location in its warehouse and wrote the first metadata file there.
    assert.match(first.location, /^s3:\/\//, 'a table location in the object store');
    assert.ok((await filesUnder(`${first.location}/metadata`)).some((f) => f.endsWith('.metadata.json')), `a metadata file under ${first.location}/metadata`);
  });

  it('reports a missing table as NoSuchTableError', async () => {
    const id = { namespace: [NAMESPACE], name: `rest_missing_${runId}` };
    await assert.rejects(new RestCatalog({ uri: CATALOG_URI }).loadTable(id), NoSuchTableError);
  });

  it('retries for the configured wait, then names the URL and infra/local/up when nothing answers', async () => {
    const uri = `http://127.0.0.1:${await closedPort()}`;
    let retries = 0;
    const started = Date.now();
    const catalog = new RestCatalog({ uri, unavailableWaitMs: 1_500, onUnavailable: () => retries++ });
    await assert.rejects(catalog.loadTable({ namespace: [NAMESPACE], name: 'edges' }), (error: unknown) => {
      assert.ok(retries >= 2, `retried while unreachable: ${retries}`);
      assert.ok(Date.now() - started < 3_000, 'gave up once the wait was over');
      assert.ok(error instanceof CatalogUnreachableError);
      assert.ok(error.message.startsWith(`Iceberg REST catalog at ${uri} is unreachable (ECONNREFUSED)`), error.message);
      assert.match(error.message, /infra\/local\/up/);
      return true;
    });
  });

  it('appends through the transaction code; the server keeps our snapshot ids exact; PyIceberg reads every row', async () => {
    const id = freshTable('append');
    const table = await Table.ensure(new RestCatalog({ uri: CATALOG_URI }), id, EDGES);
    const batches = [0, 1, 2].map((seed) => edgeRows(seed, 200, START_MICROS + seed * 3_600_000_000));
    const committed: bigint[] = [];
    for (const rows of batches) {
      const snapshot = await table.newAppend().addFiles(await writeDataFiles(table, rows)).commit();
      committed.push(snapshot['snapshot-id']);
    }

    const reloaded = await new RestCatalog({ uri: CATALOG_URI }).loadTable(id);
    const snapshots = listSnapshots(reloaded);
    assert.deepEqual(snapshots.map((s) => s.snapshotId), committed);
    assert.ok(committed.every((s) => s > 0n && s <= BigInt(Number.MAX_SAFE_INTEGER)));
    snapshots.forEach((s, i) => {
      assert.equal(s.sequenceNumber, i + 1);
      assert.equal(s.parentSnapshotId, i === 0 ? undefined : committed[i - 1]);
    });
    assert.equal(reloaded.refs.main?.['snapshot-id'], committed[2]);
    assert.equal(currentSnapshot(reloaded)?.summary['total-records'], '600');
    const plan = await planFiles(table.io, reloaded);
    assert.equal(plan.files.reduce((n, f) => n + f.recordCount, 0n), 600n);

    const py = await readWithPyIceberg(id);
    assert.equal(BigInt(py.currentSnapshotId), committed[2]);
    assert.equal(py.snapshots, 3);
    assert.deepEqual(sorted(py.rows), rowsOf(batches));
  });

  it('refuses a commit whose requirements no longer hold with CommitConflictError, changing nothing', async () => {
    const id = freshTable('stale');
    const catalog = new RestCatalog({ uri: CATALOG_URI });
    const table = await Table.ensure(catalog, id, EDGES);
    const empty = table.metadata;
    await table.newAppend().addFiles(await writeDataFiles(table, edgeRows(7, 20, START_MICROS))).commit();
    const before = await catalog.loadTable(id);

    const snapshot = { ...currentSnapshot(before)!, 'snapshot-id': 42n, 'parent-snapshot-id': undefined };
    const updates = [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 42n },
    ] as const;
    const staleRef: TableCommit = {
      requirements: [
        { type: 'assert-table-uuid', uuid: empty['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
      ],
      updates,
    };
    await assert.rejects(catalog.commitTable(id, staleRef), (error: unknown) => {
      assert.ok(error instanceof CommitConflictError, String(error));
      assert.match(error.message, /main/);
      return true;
    });
    const otherTable: TableCommit = {
      requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-4000-8000-000000000000' }],
      updates,
    };
    await assert.rejects(catalog.commitTable(id, otherTable), CommitConflictError);

    assert.deepEqual(await catalog.loadTable(id), before);
  });

  it('two writers on one base: the second is refused, rebases and lands on top of the first', async () => {
    const id = freshTable('two_writers');
    const a = await Table.ensure(new RestCatalog({ uri: CATALOG_URI }), id, EDGES);
    const bCatalog = new ConflictCountingCatalog(new RestCatalog({ uri: CATALOG_URI }));
    const b = await Table.load(bCatalog, id);
    const rowsA = edgeRows(10, 50, START_MICROS);
    const rowsB = edgeRows(11, 70, START_MICROS);
    const filesA = await writeDataFiles(a, rowsA);
    const filesB = await writeDataFiles(b, rowsB);

    const snapshotA = await a.newAppend().addFiles(filesA).commit();
    // b still holds the empty table as its base, so its first attempt asserts main = null.
    const snapshotB = await b.newAppend().addFiles(filesB).commit();

    assert.equal(bCatalog.conflicts, 1);
    assert.equal(snapshotB['parent-snapshot-id'], snapshotA['snapshot-id']);
    const final = await new RestCatalog({ uri: CATALOG_URI }).loadTable(id);
    assert.deepEqual(listSnapshots(final).map((s) => s.snapshotId), [snapshotA['snapshot-id'], snapshotB['snapshot-id']]);
    assert.equal(currentSnapshot(final)?.summary['total-records'], '120');
    assert.deepEqual(sorted((await readWithPyIceberg(id)).rows), rowsOf([rowsA, rowsB]));
  });

  it('3 writers × 8 appends at once: every commit lands once, in one chain; PyIceberg reads every row', { timeout: 300_000 }, async (t) => {
    const WRITERS = 3;
    const COMMITS = 8;
    const id = freshTable('concurrent');
    await Table.ensure(new RestCatalog({ uri: CATALOG_URI }), id, EDGES);
    const catalogs = Array.from({ length: WRITERS }, () => new ConflictCountingCatalog(new RestCatalog({ uri: CATALOG_URI })));
    await Promise.all(
      catalogs.map(async (catalog, writer) => {
        const table = await Table.load(catalog, id);
        const key = writerCommitsKey(writer);
        for (let commit = 0; commit < COMMITS; commit++) {
          await table
            .newAppend()
            .addFiles(await writeDataFiles(table, concurrentBatch(writer, commit)))
            .setProperties((parent) => ({ [key]: String(Number(parent?.[key] ?? 0) + 1) }))
            .commit();
        }
      }),
    );

    const conflicts = catalogs.reduce((n, c) => n + c.conflicts, 0);
    t.diagnostic(`${conflicts} commits were refused with 409 and retried`);
    assert.ok(conflicts > 0, 'the writers actually contended');
    const final = await new RestCatalog({ uri: CATALOG_URI }).loadTable(id);
    const snapshots = listSnapshots(final);
    assert.equal(snapshots.length, WRITERS * COMMITS);
    snapshots.forEach((s, i) => {
      assert.equal(s.sequenceNumber, i + 1);
      assert.equal(s.parentSnapshotId, i === 0 ? undefined : snapshots[i - 1].snapshotId, 'one linear chain');
    });
    const summary = currentSnapshot(final)!.summary;
    for (let w = 0; w < WRITERS; w++) assert.equal(summary[writerCommitsKey(w)], String(COMMITS), `writer ${w}'s counter`);

    const written = Array.from({ length: WRITERS * COMMITS }, (_, i) => concurrentBatch(Math.floor(i / COMMITS), i % COMMITS));
    const py = await readWithPyIceberg(id);
    assert.equal(py.snapshots, WRITERS * COMMITS);
    assert.deepEqual(sorted(py.rows), rowsOf(written));
  });

  it('commits on top of a snapshot another engine added with a 64-bit id, sending the id back exactly', async () => {
    const id = freshTable('big_id');
    const table = await Table.ensure(new RestCatalog({ uri: CATALOG_URI }), id, EDGES);
    const ours = await table.newAppend().addFiles(await writeDataFiles(table, edgeRows(3, 20, START_MICROS))).setProperties(() => ({ 'lakegraph.offsets.t': '{"0":20}' })).commit();
    // 2^62 + 1, the size of id Java and PyIceberg writers pick; sent as a JSON literal, bypassing lakegraph. The
    // snapshot re-lists our files, as a rewrite would; its summary has no lakegraph.* keys.
    const bigId = '4611686018427387905';
    const body = JSON.stringify({
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': Number(ours['snapshot-id']) }],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': 0,
            'parent-snapshot-id': Number(ours['snapshot-id']),
            'sequence-number': 2,
            'timestamp-ms': Date.now(),
            'manifest-list': ours['manifest-list'],
            summary: { operation: 'replace' },
            'schema-id': 0,
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 0 },
      ],
    }).replaceAll('"snapshot-id":0', `"snapshot-id":${bigId}`);
    const tableUrl = `${CATALOG_URI}/v1/namespaces/${NAMESPACE}/tables/${id.name}`;
    const foreign = await fetch(tableUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(foreign.status, 200, await foreign.text());

    await table.refresh();
    assert.equal(currentSnapshot(table.metadata)?.['snapshot-id'], BigInt(bigId));
    const carriedSeen: Array<string | undefined> = [];
    const mine = await table.newAppend().addFiles(await writeDataFiles(table, edgeRows(4, 20, START_MICROS)))
      .setProperties((carried) => {
        carriedSeen.push(carried['lakegraph.offsets.t']);
        return { 'lakegraph.offsets.t': '{"0":40}' };
      })
      .commit();
    assert.deepEqual(carriedSeen, ['{"0":20}'], 'the offsets of our snapshot, below the foreign one');
    assert.equal(mine['parent-snapshot-id'], BigInt(bigId));
    // The server holds the parent id digit for digit: assert-ref-snapshot-id and add-snapshot carried it exactly.
    const served = await (await fetch(tableUrl)).text();
    assert.ok(served.includes(`"parent-snapshot-id":${bigId}`), 'parent id exact on the server');
    const py = await readWithPyIceberg(id);
    assert.equal(BigInt(py.currentSnapshotId), mine['snapshot-id']);
    assert.equal(py.snapshots, 3);
    assert.equal(py.rows.length, 40);
  });
});
