/**
 * Issue 2's outside-reader proof: after a real `lakegraph demo` run of 200k events,
 * PyIceberg and DuckDB's iceberg_scan read graph.edges, graph.nodes and
 * graph.rejected_events, and their aggregates equal an oracle computed independently
 * from the same generated events.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_PARTITIONS } from '../../src/cli/demo.js';
import { REJECTION_OF_BAD_RECORD } from '../../src/stream/generator/bad-records.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { oracle } from '../support/oracle.js';
import { assertGraphEqualsOracle, assertRejectedEqualsOracle, readGraphAggregates } from '../support/reader-aggregates.js';
import { REPO_ROOT } from '../support/services.js';

const EVENTS = 200_000;
const SEED = 7;

test(`demo of ${EVENTS} events is read identically by PyIceberg, DuckDB iceberg_scan and the oracle`, { timeout: 600_000 }, async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-demo-'));
  try {
    const startTime = Date.UTC(2026, 10, 26, 12, 0, 0);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'dist/src/cli/main.js'), 'demo', '--events', String(EVENTS), '--seed', String(SEED), '--start-time', String(startTime), '--warehouse', warehouse],
      { maxBuffer: 64 << 20 },
    );
    assert.match(stdout, /Account a-\d+: activity in the last 5 minutes/);

    const generator = new RecordGenerator({ events: EVENTS, seed: SEED, partitions: DEMO_PARTITIONS, baseTs: startTime });
    const records: SourceRecord[] = [...generator];
    assert.equal(records.length, EVENTS);
    const expected = oracle(records);
    const badGenerated = Object.values(generator.stats.bad).reduce((a, b) => a + b, 0);
    assert.ok(badGenerated > 0);

    const readers = await readGraphAggregates([warehouse]);
    for (const [reader, view] of Object.entries(readers)) {
      assertGraphEqualsOracle(view, expected, reader);
    assertRejectedEqualsOracle(view, expected, reader);
      // Bad input: every bad record is in rejected_events once, with the reason of its kind.
      assert.equal(view.rejected.length, badGenerated, `${reader}: rejected rows`);
      const kindsSeen = new Set(view.rejected.map(([, , , reason]) => reason.split(':')[0]));
      for (const kind of Object.values(REJECTION_OF_BAD_RECORD)) assert.ok(kindsSeen.has(kind), `${reader}: a ${kind} record was generated and rejected`);
      // accepted + rejected = generated
      assert.equal(expected.accepted + expected.duplicates + view.rejected.length, records.length, `${reader}: accepted + rejected = generated`);
    }
    assert.deepEqual(readers.pyiceberg.edges, readers.duckdb.edges);
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
