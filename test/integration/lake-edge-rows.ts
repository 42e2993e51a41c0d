/** Deterministic edge rows for lake integration tests, plus the aggregates readers must reproduce. */
import * as arrow from 'apache-arrow';
import { arrowSchemaOf, EDGES_SCHEMA } from '../../src/lake/tables.js';

export interface EdgeAggregates {
  rows: number;
  eventCount: number;
  distinctSrc: number;
  minFirstSeenMicros: number;
  maxLastSeenMicros: number;
}

/** `count` watched-edges from profiles `p-<seed>-<i % members>`, spread over `days` days from `startMicros`. */
export function edgeRows(seed: number, count: number, startMicros: number, days = 3, members = 20): arrow.Table {
  const dayMicros = 86_400_000_000;
  const src: string[] = [];
  const dst: string[] = [];
  const firstSeen = new BigInt64Array(count);
  const lastSeen = new BigInt64Array(count);
  const eventCount = new BigInt64Array(count);
  for (let i = 0; i < count; i++) {
    src.push(`p-${seed}-${i % members}`);
    dst.push(`t-${(i * 7) % 13}`);
    const t = startMicros + (i % days) * dayMicros + i * 1_000_000;
    firstSeen[i] = BigInt(t);
    lastSeen[i] = BigInt(t + 60_000_000);
    eventCount[i] = BigInt(1 + (i % 4));
  }
  const constant = (value: string) => Array.from({ length: count }, () => value);
  const schema = arrowSchemaOf(EDGES_SCHEMA);
  const column = (i: number, values: BigInt64Array | string[]): arrow.Vector =>
    values instanceof BigInt64Array
      ? arrow.makeVector(arrow.makeData({ type: schema.fields[i].type, length: count, data: values } as never))
      : arrow.vectorFromArray(values, new arrow.Utf8());
  return new arrow.Table(schema, {
    edge_type: column(0, constant('watched')),
    src_type: column(1, constant('profile')),
    src_id: column(2, src),
    dst_type: column(3, constant('title')),
    dst_id: column(4, dst),
    first_seen: column(5, firstSeen),
    last_seen: column(6, lastSeen),
    event_count: column(7, eventCount),
    source_topic: column(8, constant('app.playback')),
  } as never);
}

/** Arrow JS turns timestamps into epoch milliseconds on access, so micros are read from the buffers. */
function micros(table: arrow.Table, column: string): BigInt64Array[] {
  return table.getChild(column)!.data.map((d) => d.values as BigInt64Array);
}

export function aggregatesOf(tables: readonly arrow.Table[]): EdgeAggregates {
  const src = new Set<string>();
  const result = { rows: 0, eventCount: 0, distinctSrc: 0, minFirstSeenMicros: Infinity, maxLastSeenMicros: -Infinity };
  for (const table of tables) {
    result.rows += table.numRows;
    for (const id of table.getChild('src_id')!) src.add(id as string);
    for (const n of table.getChild('event_count')!) result.eventCount += Number(n);
    for (const values of micros(table, 'first_seen')) for (const v of values) result.minFirstSeenMicros = Math.min(result.minFirstSeenMicros, Number(v));
    for (const values of micros(table, 'last_seen')) for (const v of values) result.maxLastSeenMicros = Math.max(result.maxLastSeenMicros, Number(v));
  }
  return { ...result, distinctSrc: src.size };
}
