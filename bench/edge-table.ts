/**
 * Synthetic `graph.edges` rows for benchmarks, shaped like real traffic: ~50k distinct
 * source ids, a few thousand titles/games/ads, short strings, a handful of edge types;
 * two profiles per account.
 * Columns are built the way the hot path should build them: each distinct string is
 * UTF-8-encoded once, rows copy its bytes into one buffer with Int32Array offsets, and
 * `arrow.makeData` wraps the buffers; no per-row builder calls or JS strings.
 */
import * as arrow from 'apache-arrow';
import { EDGES_SCHEMA, arrowSchemaOf } from '../src/lake/tables.js';

const BATCH_ROWS = 64 * 1024;
const PROFILES = 50_000;
const EPOCH_MICROS = 1_764_150_000_000_000;

/** Deterministic 32-bit generator (mulberry32), so every writer sees the same rows. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Distinct strings as one UTF-8 buffer plus offsets: picking one touches two typed arrays, not an object per string. */
interface Utf8Dictionary {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

function dictionary(values: readonly string[]): Utf8Dictionary {
  const encoded = values.map((v) => new TextEncoder().encode(v));
  const offsets = new Int32Array(values.length + 1);
  encoded.forEach((e, i) => (offsets[i + 1] = offsets[i] + e.length));
  const bytes = new Uint8Array(offsets[values.length]);
  encoded.forEach((e, i) => bytes.set(e, offsets[i]));
  return { size: values.length, bytes, offsets };
}

const ids = (prefix: string, count: number) => dictionary(Array.from({ length: count }, (_, i) => `${prefix}-${i}`));

const profileIds = ids('p', PROFILES);
const accountIds = ids('a', PROFILES / 2);
const adIds = ids('ad', 3_000);

/** Edge kinds with their endpoint types, source topic and destination id pool. */
const EDGE_KINDS = [
  { edge: 'watched', src: 'profile', dst: 'title', topic: 'app.playback', dstIds: ids('t', 5_000) },
  { edge: 'used_device', src: 'profile', dst: 'device', topic: 'app.playback', dstIds: ids('d', 80_000) },
  { edge: 'has_profile', src: 'account', dst: 'profile', topic: 'app.session', dstIds: profileIds },
  { edge: 'played', src: 'profile', dst: 'game', topic: 'app.games', dstIds: ids('g', 2_000) },
  { edge: 'saw_ad', src: 'profile', dst: 'ad', topic: 'app.ads', dstIds: adIds },
  { edge: 'clicked_ad', src: 'profile', dst: 'ad', topic: 'app.ads', dstIds: adIds },
  { edge: 'attended', src: 'profile', dst: 'live_event', topic: 'app.live', dstIds: ids('le', 500) },
] as const;

const KIND_COUNT = EDGE_KINDS.length;
const dstIdPools = EDGE_KINDS.map((k) => k.dstIds);
const fromAccount = Uint8Array.from(EDGE_KINDS, (k) => (k.src === 'account' ? 1 : 0));
const edgeNames = dictionary(EDGE_KINDS.map((k) => k.edge));
const srcTypes = dictionary(EDGE_KINDS.map((k) => k.src));
const dstTypes = dictionary(EDGE_KINDS.map((k) => k.dst));
const topics = dictionary(EDGE_KINDS.map((k) => k.topic));

/** Accumulates one Utf8 column by copying picked dictionary entries' bytes, with their offsets. */
class Utf8ColumnWriter {
  private bytes: Uint8Array;
  private readonly offsets: Int32Array;
  private row = 0;

  constructor(rows: number, expectedBytesPerRow: number) {
    this.bytes = new Uint8Array(rows * expectedBytesPerRow);
    this.offsets = new Int32Array(rows + 1);
  }

  append(dictionary: Utf8Dictionary, index: number): void {
    const from = dictionary.offsets[index];
    const to = dictionary.offsets[index + 1];
    let end = this.offsets[this.row];
    if (end + to - from > this.bytes.length) this.grow(end + to - from);
    for (let i = from; i < to; i++) this.bytes[end++] = dictionary.bytes[i];
    this.offsets[++this.row] = end;
  }

  finish(): arrow.Data<arrow.Utf8> {
    const length = this.row;
    return arrow.makeData({
      type: new arrow.Utf8(),
      length,
      valueOffsets: this.offsets.subarray(0, length + 1),
      data: this.bytes.subarray(0, this.offsets[length]),
    });
  }

  private grow(minimum: number): void {
    const larger = new Uint8Array(Math.max(minimum, this.bytes.length * 2));
    larger.set(this.bytes);
    this.bytes = larger;
  }
}

interface EdgeColumns {
  readonly edgeType: Utf8ColumnWriter;
  readonly srcType: Utf8ColumnWriter;
  readonly srcId: Utf8ColumnWriter;
  readonly dstType: Utf8ColumnWriter;
  readonly dstId: Utf8ColumnWriter;
  readonly sourceTopic: Utf8ColumnWriter;
  readonly firstSeen: BigInt64Array;
  readonly lastSeen: BigInt64Array;
  readonly eventCount: BigInt64Array;
}

/**
 * The row loop lives apart from the Arrow wrapping so that V8's feedback for the
 * once-per-batch code cannot deoptimize it.
 */
function fillEdgeRows(columns: EdgeColumns, rows: number, next: () => number): void {
  // Longs are written as two 32-bit words: BigInt arithmetic per row would allocate.
  // Epoch micros stay below 2^53, so plain number arithmetic on them is exact.
  const firstWords = new Uint32Array(columns.firstSeen.buffer);
  const lastWords = new Uint32Array(columns.lastSeen.buffer);
  const countWords = new Uint32Array(columns.eventCount.buffer);
  for (let row = 0; row < rows; row++) {
    const kind = next() % KIND_COUNT;
    const dst = next() % dstIdPools[kind].size;
    columns.edgeType.append(edgeNames, kind);
    columns.srcType.append(srcTypes, kind);
    // Profile p-n belongs to account a-(n mod accounts), as in real traffic: an account's
    // has_profile edges name the same few profiles, however many rows there are.
    if (fromAccount[kind] === 1) columns.srcId.append(accountIds, dst % accountIds.size);
    else columns.srcId.append(profileIds, next() % profileIds.size);
    columns.dstType.append(dstTypes, kind);
    columns.dstId.append(dstIdPools[kind], dst);
    columns.sourceTopic.append(topics, kind);
    const first = EPOCH_MICROS + (next() % 600_000_000);
    const last = first + (next() % 60_000_000);
    firstWords[2 * row] = first % 2 ** 32;
    firstWords[2 * row + 1] = first / 2 ** 32;
    lastWords[2 * row] = last % 2 ** 32;
    lastWords[2 * row + 1] = last / 2 ** 32;
    countWords[2 * row] = 1 + (next() % 20);
  }
}

function edgeBatch(rows: number, next: () => number, schema: arrow.Schema): arrow.RecordBatch {
  const columns: EdgeColumns = {
    edgeType: new Utf8ColumnWriter(rows, 10),
    srcType: new Utf8ColumnWriter(rows, 7),
    srcId: new Utf8ColumnWriter(rows, 8),
    dstType: new Utf8ColumnWriter(rows, 6),
    dstId: new Utf8ColumnWriter(rows, 7),
    sourceTopic: new Utf8ColumnWriter(rows, 12),
    firstSeen: new BigInt64Array(rows),
    lastSeen: new BigInt64Array(rows),
    eventCount: new BigInt64Array(rows),
  };
  fillEdgeRows(columns, rows, next);
  const timestamps = (data: BigInt64Array) => arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: rows, data });
  const children: arrow.Data[] = [
    columns.edgeType.finish(),
    columns.srcType.finish(),
    columns.srcId.finish(),
    columns.dstType.finish(),
    columns.dstId.finish(),
    timestamps(columns.firstSeen),
    timestamps(columns.lastSeen),
    arrow.makeData({ type: new arrow.Int64(), length: rows, data: columns.eventCount }),
    columns.sourceTopic.finish(),
  ];
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows, children, nullCount: 0 });
  return new arrow.RecordBatch(schema, struct);
}

/** `rows` edge rows in 64k-row batches following `arrowSchemaOf(EDGES_SCHEMA)`. */
export function syntheticEdges(rows: number, seed = 1): arrow.Table {
  const schema = arrowSchemaOf(EDGES_SCHEMA);
  const next = randomSource(seed);
  const batches: arrow.RecordBatch[] = [];
  for (let done = 0; done < rows; done += BATCH_ROWS) batches.push(edgeBatch(Math.min(BATCH_ROWS, rows - done), next, schema));
  return new arrow.Table(schema, batches);
}
