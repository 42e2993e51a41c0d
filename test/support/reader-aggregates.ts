/**
 * What `test/integration/graph_aggregates.py` prints for one third-party reader, and the
 * check that it equals the oracle: every edge and node key with its aggregates
 * (times in epoch microseconds as the readers give them).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OracleResult } from './oracle.js';
import { REPO_ROOT, VENV_PYTHON } from './services.js';

type Row = [string, ...unknown[]];

export interface ReaderView {
  edges: Row[];
  nodes: Row[];
  edges_rows: number;
  nodes_rows: number;
  rejected: Array<[topic: string, partition: number, offset: number, reason: string]>;
}

/** Runs graph_aggregates.py; its output is large, hence no JSON-line helper. */
export async function readGraphAggregates(args: readonly string[]): Promise<Partial<Record<'pyiceberg' | 'duckdb', ReaderView>>> {
  const { stdout } = await promisify(execFile)(VENV_PYTHON, [join(REPO_ROOT, 'test/integration/graph_aggregates.py'), ...args], { maxBuffer: 1 << 30 });
  return JSON.parse(stdout);
}

function keyed(rows: Row[], keyColumns: number): Map<string, number[]> {
  return new Map(rows.map((row) => [JSON.stringify(row.slice(0, keyColumns)), row.slice(keyColumns).map(Number)]));
}

export function assertViewEqualsOracle(reader: string, view: ReaderView, expected: OracleResult): void {
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
  const byKind = new Map<string, number>();
  for (const [topic, , , reason] of view.rejected) {
    const kind = `${topic} ${reason.split(':')[0]}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  assert.deepEqual(byKind, expected.rejectedByTopicAndKind, `${reader}: rejected by topic and reason`);
  assert.equal(new Set(view.rejected.map(([t, p, o]) => `${t}/${p}/${o}`)).size, view.rejected.length, `${reader}: rejected rows are distinct records`);
}
