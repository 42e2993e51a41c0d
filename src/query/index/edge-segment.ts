/**
 * One committed `graph.edges` data file held in memory for the query service: its rows as
 * typed arrays (nodes as NodeDictionary ints, timestamps as epoch microseconds) and two
 * adjacencies, by source and by destination node. Data files never change (Iceberg), so a
 * segment is built once per file and shared by every index version that lists the file.
 */
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { EDGE_ENDPOINTS, EDGE_TYPES, edgeTypeCode, NODE_TYPE_CODE, type EdgeType } from '../../graph/model.js';
import { Adjacency } from './adjacency.js';
import { AS_DESTINATION, AS_SOURCE, type NodeDictionary } from './node-dictionary.js';
import type { StringDictionary } from '../../stream/window/string-dictionary.js';

const SRC_TYPE_CODE = EDGE_TYPES.map((t) => NODE_TYPE_CODE[EDGE_ENDPOINTS[t].src]);
const DST_TYPE_CODE = EDGE_TYPES.map((t) => NODE_TYPE_CODE[EDGE_ENDPOINTS[t].dst]);

const COLUMNS = ['edge_type', 'src_id', 'dst_id', 'first_seen', 'last_seen', 'event_count', 'source_topic'] as const;

export class EdgeSegment {
  private constructor(
    readonly rows: number,
    readonly edgeType: Uint8Array,
    readonly src: Int32Array,
    readonly dst: Int32Array,
    readonly firstSeenMicros: Float64Array,
    readonly lastSeenMicros: Float64Array,
    readonly eventCount: Float64Array,
    readonly topic: Uint16Array,
    readonly bySrc: Adjacency,
    readonly byDst: Adjacency,
  ) {}

  /**
   * Reads a data file of `graph.edges` (our writer's Arrow types); `where` names it in errors.
   * Rows last seen before `fromMicros` are left out (a file straddling the index window's start).
   */
  static fromParquet(bytes: Uint8Array, nodes: NodeDictionary, topics: StringDictionary, where: string, fromMicros = -Infinity): EdgeSegment {
    const table = arrow.tableFromIPC(parquet.readParquet(bytes, { columns: [...COLUMNS] }).intoIPCStream());
    const count = table.numRows;
    const edgeType = new Uint8Array(count);
    const src = new Int32Array(count);
    const dst = new Int32Array(count);
    const firstSeen = new Float64Array(count);
    const lastSeen = new Float64Array(count);
    const eventCount = new Float64Array(count);
    const topic = new Uint16Array(count);
    let row = 0;
    for (const batch of table.batches) {
      const column = (name: (typeof COLUMNS)[number]) => {
        const data = batch.getChild(name)?.data[0];
        if (data === undefined || data.offset !== 0 || data.nullCount !== 0) throw new Error(`${where}: column ${name} is missing, sliced or has nulls`);
        return data;
      };
      const types = utf8Column(column('edge_type'), where);
      const srcIds = utf8Column(column('src_id'), where);
      const dstIds = utf8Column(column('dst_id'), where);
      const topics_ = utf8Column(column('source_topic'), where);
      const first = int64Words(column('first_seen'));
      const last = int64Words(column('last_seen'));
      const counts = int64Words(column('event_count'));
      for (let i = 0; i < batch.numRows; i++) {
        const lastSeenMicros = (last[2 * i + 1]! | 0) * 2 ** 32 + last[2 * i]!;
        if (lastSeenMicros < fromMicros) continue;
        const typeName = types(i);
        const code = edgeTypeCode(typeName);
        if (code === undefined) throw new Error(`${where}: unknown edge_type ${JSON.stringify(typeName)}`);
        edgeType[row] = code;
        src[row] = nodes.intern(SRC_TYPE_CODE[code]!, srcIds(i));
        dst[row] = nodes.intern(DST_TYPE_CODE[code]!, dstIds(i));
        nodes.seenAs(src[row]!, AS_SOURCE);
        nodes.seenAs(dst[row]!, AS_DESTINATION);
        firstSeen[row] = (first[2 * i + 1]! | 0) * 2 ** 32 + first[2 * i]!;
        lastSeen[row] = lastSeenMicros;
        eventCount[row] = (counts[2 * i + 1]! | 0) * 2 ** 32 + counts[2 * i]!;
        const topicCode = topics.intern(topics_(i));
        if (topicCode > 0xffff) throw new Error(`${where}: more than 65536 source topics in one edge index`);
        topic[row++] = topicCode;
      }
    }
    // A straddling file's kept rows are copied, so the arrays sized for all its rows can go.
    const kept = <T extends Uint8Array | Int32Array | Float64Array | Uint16Array>(a: T) => (row === count ? a : (a.slice(0, row) as T));
    const [srcKept, dstKept] = [kept(src), kept(dst)];
    return new EdgeSegment(row, kept(edgeType), srcKept, dstKept, kept(firstSeen), kept(lastSeen), kept(eventCount), kept(topic), Adjacency.of(srcKept), Adjacency.of(dstKept));
  }

  edgeTypeOf(row: number): EdgeType {
    return EDGE_TYPES[this.edgeType[row]!]!;
  }
}

/**
 * The strings of a Utf8 column by row. Ids are ASCII in practice: then the whole value
 * buffer is decoded once and rows are substrings of it; otherwise each row is decoded.
 */
function utf8Column(data: arrow.Data, where: string): (row: number) => string {
  if (data.typeId !== arrow.Type.Utf8) throw new Error(`${where}: expected a Utf8 column, found ${String(data.type)}`);
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  let high = 0;
  for (let i = 0; i < bytes.length; i++) high |= bytes[i]!;
  if (high < 0x80) {
    const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return (row) => all.substring(offsets[row]!, offsets[row + 1]!);
  }
  const decoder = new TextDecoder();
  return (row) => decoder.decode(bytes.subarray(offsets[row]!, offsets[row + 1]!));
}

/** A 64-bit column as little-endian 32-bit words (low, then high read as signed), so rows become numbers without a BigInt each. */
function int64Words(data: arrow.Data): Uint32Array {
  const values = data.values as BigInt64Array;
  return new Uint32Array(values.buffer, values.byteOffset, data.length * 2);
}
