/**
 * The embedded pipeline against the real Apache Iceberg REST catalog: five topic jobs
 * commit through iceberg-js, then PyIceberg's own REST client loads the tables from the
 * server and reads aggregates equal to the oracle. The tables live in a namespace of
 * their own, dropped afterwards, so runs sharing the server never meet.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { TOPICS } from '../../src/events/topics.js';
import { localPath } from '../../src/lake/io/local-file-io.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { GRAPH_TABLE_NAMES } from '../../src/stream/job/graph-tables.js';
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
    const { pyiceberg } = await readGraphAggregates(['--rest', CATALOG_URI, namespace]);
    assertGraphEqualsOracle(pyiceberg, expected, 'pyiceberg (REST)');
    assertRejectedEqualsOracle(pyiceberg, expected, 'pyiceberg (REST)');
    assert.equal(pyiceberg.rejected.length, totals.rejected);
  } finally {
    for (const name of GRAPH_TABLE_NAMES) {
      const id = { namespace: [namespace], name };
      const location = await admin.loadTable(id).then((m) => m.location, () => undefined);
      if (location === undefined) continue;
      await admin.dropTable(id, { purge: false });
      await rm(localPath(location), { recursive: true, force: true });
    }
    await admin.dropNamespace({ namespace: [namespace] }).catch(() => {});
  }
});
