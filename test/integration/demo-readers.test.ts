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
import { edgeKey, nodeKey, oracle } from '../support/oracle.js';
import { REPO_ROOT } from './lake-python.js';

const EVENTS = 200_000;
const SEED = 7;
const exec = promisify(execFile);

type Row = [string, ...unknown[]];
interface ReaderView {
  edges: Row[];
  nodes: Row[];
  edges_rows: number;
  nodes_rows: number;
  rejected: Array<[topic: string, partition: number, offset: number, reason: string]>;
}

function keyed(rows: Row[], keyColumns: number): Map<string, [number, number, number]> {
  const map = new Map<string, [number, number, number]>();
  for (const row of rows) {
    const key = JSON.stringify(row.slice(0, keyColumns));
    const [first, last, count] = row.slice(keyColumns).map(Number);
    map.set(key, [first, last, count]);
  }
  return map;
}

test(`demo of ${EVENTS} events is read identically by PyIceberg, DuckDB iceberg_scan and the oracle`, { timeout: 600_000 }, async () => {
  const warehouse = await mkdtemp(join(tmpdir(), 'lakegraph-demo-'));
  try {
    const startTime = Date.UTC(2026, 10, 26, 12, 0, 0);
    const { stdout } = await exec(
      process.execPath,
      [join(REPO_ROOT, 'dist/src/cli/main.js'), 'demo', '--events', String(EVENTS), '--seed', String(SEED), '--start-time', String(startTime), '--warehouse', warehouse],
      { maxBuffer: 64 << 20 },
    );
    assert.match(stdout, /Account a-\d+: activity in the last 5 minutes/);

    const generator = new RecordGenerator({ events: EVENTS, seed: SEED, partitions: DEMO_PARTITIONS, baseTs: startTime });
    const records: SourceRecord[] = [...generator];
    assert.equal(records.length, EVENTS);
    const expected = oracle(records);

    const python = await exec(join(REPO_ROOT, '.venv/bin/python'), [join(REPO_ROOT, 'test/integration/graph_aggregates.py'), warehouse], { maxBuffer: 1 << 30 });
    const readers = JSON.parse(python.stdout) as Record<'pyiceberg' | 'duckdb', ReaderView>;
    for (const [reader, view] of Object.entries(readers)) {
      const edges = keyed(view.edges, 5);
      assert.equal(edges.size, expected.edges.size, `${reader}: distinct edge keys`);
      for (const [key, e] of expected.edges) {
        assert.deepEqual(edges.get(key), [e.first_seen * 1000, e.last_seen * 1000, e.event_count], `${reader}: edge ${key}`);
      }
      const nodes = keyed(view.nodes, 2);
      assert.equal(nodes.size, expected.nodes.size, `${reader}: distinct node keys`);
      for (const [key, n] of expected.nodes) {
        assert.deepEqual(nodes.get(key), [n.first_seen * 1000, n.last_seen * 1000, n.event_count], `${reader}: node ${key}`);
      }

      // Bad input: every bad record is in rejected_events once, with the reason of its kind.
      const badGenerated = Object.values(generator.stats.bad).reduce((a, b) => a + b, 0);
      assert.ok(badGenerated > 0);
      assert.equal(view.rejected.length, badGenerated, `${reader}: rejected rows`);
      assert.equal(new Set(view.rejected.map(([t, p, o]) => `${t}/${p}/${o}`)).size, badGenerated, `${reader}: rejected rows are distinct records`);
      const byKind = new Map<string, number>();
      for (const [topic, , , reason] of view.rejected) {
        const kind = `${topic} ${reason.split(':')[0]}`;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      assert.deepEqual(byKind, expected.rejectedByTopicAndKind, `${reader}: rejected by topic and reason`);
      const kindsSeen = new Set([...byKind.keys()].map((k) => k.split(' ')[1]));
      for (const kind of Object.values(REJECTION_OF_BAD_RECORD)) assert.ok(kindsSeen.has(kind), `${reader}: a ${kind} record was generated and rejected`);
      const accepted: number = records.length - view.rejected.length;
      assert.equal(accepted + view.rejected.length, records.length);
      assert.equal(expected.accepted + expected.duplicates, accepted, `${reader}: accepted = records − rejected`);
    }
    assert.deepEqual(readers.pyiceberg.edges, readers.duckdb.edges);
  } finally {
    await rm(warehouse, { recursive: true, force: true });
  }
});
