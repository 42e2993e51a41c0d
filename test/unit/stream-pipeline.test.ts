/**
 * The whole embedded stream stage in memory — generator → decode → dedup → map → window →
 * Arrow batches, flushed in several windows — must aggregate to exactly what the independent
 * oracle computes from the same records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as arrow from 'apache-arrow';
import { rejectionKindOf } from '../../src/events/rejection.js';
import { edgesTable } from '../../src/stream/batch/edges-table.js';
import { nodesTable } from '../../src/stream/batch/nodes-table.js';
import { rejectedTable } from '../../src/stream/batch/rejected-table.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { EventAdmission } from '../../src/stream/event-admission.js';
import type { GraphSink } from '../../src/graph/sink.js';
import { mapEvent } from '../../src/graph/map-event.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { GraphWindow } from '../../src/stream/window/graph-window.js';
import { RejectedBuffer } from '../../src/stream/window/rejected-buffer.js';
import { edgeKey, nodeKey, oracle, type OracleEdge, type OracleNode } from '../support/oracle.js';

const HORIZON_MS = 10 * 60_000;
const WINDOW_RECORDS = 7_000;

/** Arrow's getter already turns timestamp micros into epoch ms (stream-batch tests check the raw micros). */
const ms = (epochMs: unknown) => epochMs as number;

function rowsOf(table: arrow.Table): Array<Record<string, unknown>> {
  return table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
}

/** The stream stage without the lake: per-topic admission (decode → dedup) mapping into one window. */
class InMemoryStage {
  readonly window = new GraphWindow();
  readonly rejected = new RejectedBuffer();
  readonly counters = { records: 0, admitted: 0, duplicates: 0 };
  private readonly topics = new Map<string, { admission: EventAdmission; sink: GraphSink }>();

  process(record: SourceRecord): void {
    let topic = this.topics.get(record.topic);
    if (topic === undefined) {
      const admission = new EventAdmission(record.topic, { horizonMs: HORIZON_MS, lateMemoryMs: 5 * 60_000, maxRememberedIds: 1_000_000 });
      this.topics.set(record.topic, (topic = { admission, sink: this.window.sinkFor(record.topic) }));
    }
    this.counters.records++;
    const admission = topic.admission.admit(record);
    if (admission === 'rejected') this.rejected.add(record, topic.admission.reason, 0);
    else if (admission === 'duplicate') this.counters.duplicates++;
    else {
      this.counters.admitted++;
      mapEvent(topic.admission.event!, topic.sink);
    }
  }

  dedupTotals() {
    const sum = { late: 0, lateDuplicates: 0, forcedEvictions: 0 };
    for (const { admission } of this.topics.values()) {
      const t = admission.totals();
      sum.late += t.late;
      sum.lateDuplicates += t.lateDuplicates;
      sum.forcedEvictions += t.forcedEvictions;
    }
    return sum;
  }
}

describe('in-memory pipeline vs oracle', () => {
  it('aggregates ~50k generated records exactly as the oracle does', () => {
    const records = [...new RecordGenerator({ events: 50_000, seed: 7, baseTs: Date.UTC(2025, 10, 26, 10) })];
    const expected = oracle(records, HORIZON_MS);

    const stage = new InMemoryStage();
    const edges = new Map<string, OracleEdge>();
    const nodes = new Map<string, OracleNode>();
    const rejectedByTopic = new Map<string, number>();
    const rejectedByTopicAndKind = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

    const flush = () => {
      // Rows of every window are merged like the lake's GROUP BY key.
      for (const row of rowsOf(edgesTable(stage.window.edgeRows()))) {
        const edge = row as unknown as OracleEdge;
        const key = edgeKey(edge);
        const [first, last, count] = [ms(row['first_seen']), ms(row['last_seen']), Number(row['event_count'])];
        const found = edges.get(key);
        if (found === undefined) {
          const { edge_type, src_type, src_id, dst_type, dst_id } = edge;
          edges.set(key, { edge_type, src_type, src_id, dst_type, dst_id, first_seen: first, last_seen: last, event_count: count });
        } else {
          found.first_seen = Math.min(found.first_seen, first);
          found.last_seen = Math.max(found.last_seen, last);
          found.event_count += count;
        }
      }
      for (const row of rowsOf(nodesTable(stage.window.nodeRows()))) {
        const key = nodeKey(row as unknown as OracleNode);
        const [first, last, count] = [ms(row['first_seen']), ms(row['last_seen']), Number(row['event_count'])];
        const props = row['props'] as string | null;
        // A row's props_ts is what a reader picks props across rows by; null where it has none.
        const propsTs = row['props_ts'] === null ? -Infinity : ms(row['props_ts']);
        const found = nodes.get(key);
        if (found === undefined) {
          const { node_type, node_id } = row as unknown as OracleNode;
          nodes.set(key, { node_type, node_id, first_seen: first, last_seen: last, event_count: count, props, props_ts: propsTs });
          continue;
        }
        found.first_seen = Math.min(found.first_seen, first);
        found.last_seen = Math.max(found.last_seen, last);
        found.event_count += count;
        if (props !== null && propsTs >= found.props_ts) {
          found.props = props;
          found.props_ts = propsTs;
        }
      }
      for (const row of rowsOf(rejectedTable(stage.rejected.records))) {
        bump(rejectedByTopic, row['topic'] as string);
        bump(rejectedByTopicAndKind, `${row['topic']} ${rejectionKindOf(row['reason'] as string)}`);
      }
      stage.window.clear();
      stage.rejected.clear();
    };

    records.forEach((record, i) => {
      stage.process(record);
      if ((i + 1) % WINDOW_RECORDS === 0) flush();
    });
    flush();

    const dedup = stage.dedupTotals();
    assert.equal(stage.counters.records, expected.records);
    assert.equal(stage.counters.admitted, expected.accepted);
    assert.equal(stage.counters.duplicates, expected.duplicates);
    assert.equal(dedup.late, expected.late);
    assert.ok(expected.late > 0 && expected.duplicates > 1_000, 'the run exercises duplicates and late events');
    assert.ok(dedup.lateDuplicates > 0 && dedup.lateDuplicates <= expected.lateDuplicates, `${dedup.lateDuplicates} vs ${expected.lateDuplicates}`);
    assert.equal(dedup.forcedEvictions, 0);
    assert.deepEqual(rejectedByTopic, expected.rejectedByTopic);
    assert.deepEqual(rejectedByTopicAndKind, expected.rejectedByTopicAndKind);
    assert.equal(edges.size, expected.edges.size);
    assert.deepEqual(edges, expected.edges);
    assert.equal(nodes.size, expected.nodes.size);
    assert.deepEqual(nodes, expected.nodes);
    assert.ok([...nodes.values()].some((n) => n.props?.includes('app_version')));
  });
});
