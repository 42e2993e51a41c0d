/**
 * What `test/integration/graph_aggregates.py` prints for one third-party reader, and the
 * check that it equals the oracle: every edge and node key with its aggregates
 * (times in epoch microseconds as the readers give them).
 */
import assert from 'node:assert/strict';
import type { OracleResult } from './oracle.js';
import { runPython } from './services.js';

type Row = [string, ...unknown[]];

export interface ReaderView {
  edges: Row[];
  nodes: Row[];
  edges_rows: number;
  nodes_rows: number;
  rejected: Array<[topic: string, partition: number, offset: number, reason: string]>;
}

/**
 * `[warehouse]` (a directory or `s3://…`): PyIceberg and DuckDB iceberg_scan; `['--rest', uri, namespace]`:
 * through the REST catalog. `env` names the object store (AWS variables).
 */
export function readGraphAggregates(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Record<'pyiceberg' | 'duckdb', ReaderView>> {
  return runPython({ script: 'test/integration/graph_aggregates.py' }, args, env);
}

function keyed(rows: Row[], keyColumns: number): Map<string, number[]> {
  return new Map(rows.map((row) => [JSON.stringify(row.slice(0, keyColumns)), row.slice(keyColumns).map(Number)]));
}

/** Every edge and node key's aggregates equal the oracle's. */
export function assertGraphEqualsOracle(view: ReaderView, expected: OracleResult, reader: string): void {
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
}

/** Every rejected record is there once, with a reason of the oracle's kind. */
export function assertRejectedEqualsOracle(view: ReaderView, expected: OracleResult, reader: string): void {
  const byKind = new Map<string, number>();
  for (const [topic, , , reason] of view.rejected) {
    const kind = `${topic} ${reason.split(':')[0]}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  assert.deepEqual(byKind, expected.rejectedByTopicAndKind, `${reader}: rejected by topic and reason`);
  assert.equal(new Set(view.rejected.map(([t, p, o]) => `${t}/${p}/${o}`)).size, view.rejected.length, `${reader}: rejected rows are distinct records`);
}
