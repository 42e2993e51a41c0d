/** Merges edge observations per (edge_type, src_id, dst_id, source_topic) within a window. */
import { EDGE_TYPES } from '../../graph/model.js';
import { Observations } from './observations.js';
import { TupleIndex } from './tuple-index.js';

/**
 * A window's edge rows, columnar. Views into the window's arrays: valid until it changes.
 * src/dst types follow from the edge type (EDGE_ENDPOINTS).
 */
export interface EdgeRows {
  readonly length: number;
  /** Index into EDGE_TYPES. */
  readonly edgeType: Uint8Array;
  /** Indexes into `ids`. */
  readonly srcId: Int32Array;
  readonly dstId: Int32Array;
  /** Index into `topics`. */
  readonly sourceTopic: Int32Array;
  /** Epoch ms. */
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly eventCount: Int32Array;
  readonly ids: readonly string[];
  readonly topics: readonly string[];
}

// Edge type and topic share the index's first key component.
const EDGE_TYPE_BITS = 4;
if (EDGE_TYPES.length > 1 << EDGE_TYPE_BITS) throw new Error('EDGE_TYPE_BITS too small');

export class EdgeAccumulator {
  private readonly index = new TupleIndex();
  private readonly observations = new Observations();

  get size(): number {
    return this.index.size;
  }

  observe(edgeType: number, topic: number, srcId: number, dstId: number, ts: number): void {
    const row = this.index.rowOf((topic << EDGE_TYPE_BITS) | edgeType, srcId, dstId);
    this.observations.record(row, this.index.inserted, ts);
  }

  rows(ids: readonly string[], topics: readonly string[]): EdgeRows {
    const length = this.index.size;
    const edgeType = new Uint8Array(length);
    const sourceTopic = new Int32Array(length);
    const srcId = new Int32Array(length);
    const dstId = new Int32Array(length);
    const mask = (1 << EDGE_TYPE_BITS) - 1;
    for (let row = 0; row < length; row++) {
      const typeAndTopic = this.index.key(row, 0);
      edgeType[row] = typeAndTopic & mask;
      sourceTopic[row] = typeAndTopic >>> EDGE_TYPE_BITS;
      srcId[row] = this.index.key(row, 1);
      dstId[row] = this.index.key(row, 2);
    }
    const { firstSeen, lastSeen, eventCount } = this.observations;
    return {
      length, edgeType, srcId, dstId, sourceTopic, ids, topics,
      firstSeen: firstSeen.subarray(0, length),
      lastSeen: lastSeen.subarray(0, length),
      eventCount: eventCount.subarray(0, length),
    };
  }

  clear(): void {
    this.index.clear();
  }
}
