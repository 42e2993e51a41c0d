/**
 * The embedded pipeline against the real Apache Iceberg REST catalog with its warehouse in
 * the object store: five topic jobs write data files to S3 and commit through iceberg-js,
 * then PyIceberg's own REST client (S3 FileIO) and DuckDB's iceberg_scan (httpfs) read
 * aggregates equal to the oracle, and no table file is on this host's disk. The tables live in a namespace of
 * their own, dropped afterwards, so runs sharing the server never meet.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { TOPICS } from '../../src/events/topics.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { TABLE_NAMES } from '../../src/lake/tables.js';
import { oracle } from '../support/oracle.js';
import { assertGraphEqualsOracle, assertRejectedEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { CATALOG_URI, assertListening } from '../support/services.js';

const EVENTS = 40_000;
const PARTITIONS = 4;

test('embedded pipeline through the REST catalog is read back by PyIceberg equal to the oracle', { timeout: 300_000 }, async () => {
  await assertListening(new URL(CATALOG_URI).host);
  const namespace = `graph_it_${randomBytes(4).toString('hex')}`;
  const generatorOptions = { events: EVENTS, seed: 21, partitions: PARTITIONS, baseTs: Date.UTC(2026, 10, 26, 9) };
  const admin = new IcebergRestCatalog({ baseUrl: CATALOG_URI });
  try {
    const totals = await runEmbeddedPipeline({
      catalog: new RestCatalog({ uri: CATALOG_URI }),
      namespace,
      generator: new RecordGenerator(generatorOptions),
      topics: TOPICS,
      partitions: PARTITIONS,
      commitIntervalMs: 200,
    });
    assert.equal(totals.records, EVENTS);
    assert.ok(totals.snapshots >= 15, `several commits per table: ${totals.snapshots}`);
    const expected = oracle([...new RecordGenerator(generatorOptions)]);
    const edges = await admin.loadTable({ namespace: [namespace], name: 'edges' });
    assert.match(edges.location ?? '', /^s3:\/\//, 'the catalog puts tables in the object store');
    const readers = await readGraphAggregates(['--rest', CATALOG_URI, namespace]);
    for (const [reader, view] of Object.entries(readers)) {
      assertGraphEqualsOracle(view, expected, `${reader} (REST, S3)`);
      assertRejectedEqualsOracle(view, expected, `${reader} (REST, S3)`);
      assert.equal(view.rejected.length, totals.rejected);
    }
  } finally {
    // The server's S3FileIO deletes the tables' files from the object store.
    for (const name of TABLE_NAMES) await admin.dropTable({ namespace: [namespace], name }, { purge: true }).catch(() => {});
    await admin.dropNamespace({ namespace: [namespace] }).catch(() => {});
  }
});
