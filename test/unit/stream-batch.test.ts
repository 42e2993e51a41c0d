import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as arrow from 'apache-arrow';
import { EDGES_SCHEMA, NODES_SCHEMA, REJECTED_SCHEMA, arrowSchemaOf } from '../../src/lake/tables.js';
import { edgesTable } from '../../src/stream/batch/edges-table.js';
import { nodesTable } from '../../src/stream/batch/nodes-table.js';
import { rejectedTable } from '../../src/stream/batch/rejected-table.js';
import { GraphWindow } from '../../src/stream/window/graph-window.js';
import { RejectedBuffer } from '../../src/stream/window/rejected-buffer.js';

/** Through Arrow IPC and back, as the Parquet writer will consume it. */
function roundTrip(table: arrow.Table): arrow.Table {
  return arrow.tableFromIPC(arrow.tableToIPC(table, 'stream'));
}

function column(table: arrow.Table, name: string): unknown[] {
  return [...table.getChild(name)!];
}

/** Raw int64 micros, not the ms number Arrow's getter derives from them. */
function micros(table: arrow.Table, name: string): bigint[] {
  return table.getChild(name)!.data.flatMap((d) => [...(d.values as BigInt64Array)]);
}

function assertSchema(table: arrow.Table, expected: arrow.Schema): void {
  assert.deepEqual(
    table.schema.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]]),
    expected.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]]),
  );
}

describe('Arrow batches follow the table schemas and round-trip exactly', () => {
  it('edges', () => {
    const window = new GraphWindow();
    const sink = window.sinkFor('app.ads');
    const far = Date.UTC(9999, 11, 31, 23, 59, 59, 999); // beyond 2^53 µs: the exact path
    sink.edge('clicked_ad', 'p-東京-1', 'ad-🎬', 1764150000123);
    sink.edge('clicked_ad', 'p-東京-1', 'ad-🎬', 1764150000001);
    sink.edge('in_campaign', 'ad-🎬', 'c-1', far);
    sink.edge('in_campaign', 'ad-🎬', 'c-1', -1);
    const table = roundTrip(edgesTable(window.edgeRows()));
    assertSchema(table, arrowSchemaOf(EDGES_SCHEMA));
    assert.deepEqual(column(table, 'edge_type'), ['clicked_ad', 'in_campaign']);
    assert.deepEqual(column(table, 'src_type'), ['profile', 'ad']);
    assert.deepEqual(column(table, 'src_id'), ['p-東京-1', 'ad-🎬']);
    assert.deepEqual(column(table, 'dst_type'), ['ad', 'campaign']);
    assert.deepEqual(column(table, 'dst_id'), ['ad-🎬', 'c-1']);
    assert.deepEqual(micros(table, 'first_seen'), [1764150000001000n, -1000n]);
    assert.deepEqual(micros(table, 'last_seen'), [1764150000123000n, BigInt(far) * 1000n]);
    assert.deepEqual(column(table, 'event_count'), [2n, 2n]);
    assert.deepEqual(column(table, 'source_topic'), ['app.ads', 'app.ads']);
  });

  it('nodes, with props_ts the ts of the props kept, and null props and props_ts where no device object was seen', () => {
    const window = new GraphWindow();
    const sink = window.sinkFor('app.session');
    sink.node('device', 'd-1', 10, { model: 'X', os: 'ios' });
    sink.node('device', 'd-1', 13, null);
    sink.node('account', 'a-1', 10, null);
    sink.node('account', 'a-1', 12, null);
    const table = roundTrip(nodesTable(window.nodeRows()));
    assertSchema(table, arrowSchemaOf(NODES_SCHEMA));
    assert.deepEqual(column(table, 'node_type'), ['device', 'account']);
    assert.deepEqual(column(table, 'node_id'), ['d-1', 'a-1']);
    assert.deepEqual(micros(table, 'first_seen'), [10000n, 10000n]);
    assert.deepEqual(micros(table, 'last_seen'), [13000n, 12000n]);
    assert.deepEqual(column(table, 'event_count'), [2n, 2n]);
    assert.deepEqual(column(table, 'props'), ['{"os":"ios","model":"X"}', null]);
    assert.deepEqual(column(table, 'source_topic'), ['app.session', 'app.session']);
    assert.equal(table.getChild('props_ts')!.nullCount, 1);
    assert.deepEqual(micros(table, 'props_ts')[0], 10000n);
    assert.equal(table.getChild('props_ts')!.get(1), null);
  });

  it('rejected events, with a null key', () => {
    const buffer = new RejectedBuffer();
    buffer.add({ topic: 'app.live', partition: 3, offset: 2 ** 40, key: Uint8Array.of(97, 45, 49), value: Uint8Array.of(0x7b), timestamp: 0 }, 'not_json: x', 1764150000123);
    buffer.add({ topic: 'app.live', partition: 0, offset: 7, key: null, value: null, timestamp: 0 }, 'not_json: null value (tombstone)', 5);
    const table = roundTrip(rejectedTable(buffer.records));
    assertSchema(table, arrowSchemaOf(REJECTED_SCHEMA));
    assert.deepEqual(column(table, 'topic'), ['app.live', 'app.live']);
    assert.deepEqual(column(table, 'partition'), [3, 0]);
    assert.deepEqual(column(table, 'offset'), [2n ** 40n, 7n]);
    assert.deepEqual(column(table, 'key'), [Uint8Array.of(97, 45, 49), null]);
    assert.deepEqual(column(table, 'payload'), [Uint8Array.of(0x7b), new Uint8Array(0)]);
    assert.deepEqual(column(table, 'reason'), ['not_json: x', 'not_json: null value (tombstone)']);
    assert.deepEqual(micros(table, 'rejected_at'), [1764150000123000n, 5000n]);
  });

  it('an empty window makes empty tables of the right schema', () => {
    const window = new GraphWindow();
    assert.equal(edgesTable(window.edgeRows()).numRows, 0);
    assert.equal(nodesTable(window.nodeRows()).numRows, 0);
    assert.equal(rejectedTable([]).numRows, 0);
  });
});
