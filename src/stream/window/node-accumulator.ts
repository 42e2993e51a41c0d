/**
 * Merges node observations per (node_type, node_id, source_topic) within a window; a node's
 * props are those of its latest-ts observation that carried a device object (ties: the
 * later arrival wins).
 */
import type { Device } from '../../events/contracts.js';
import { grown } from './growable.js';
import { Observations } from './observations.js';
import { TupleIndex } from './tuple-index.js';

/** A window's node rows, columnar. Views into the window's arrays: valid until it changes. */
export interface NodeRows {
  readonly length: number;
  /** Index into NODE_TYPES. */
  readonly nodeType: Uint8Array;
  /** Index into `ids`. */
  readonly nodeId: Int32Array;
  /** Index into `topics`. */
  readonly sourceTopic: Int32Array;
  /** Epoch ms. */
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly eventCount: Int32Array;
  /** The device object behind `props`, or null; kept as the object so JSON is made once per row at flush. */
  readonly device: readonly (Device | null)[];
  /** ts of the observation `device` came from (-Infinity when none): the row's `props_ts`, by which readers pick across rows. */
  readonly deviceTs: Float64Array;
  readonly ids: readonly string[];
  readonly topics: readonly string[];
}

export class NodeAccumulator {
  private readonly index = new TupleIndex();
  private readonly observations = new Observations();
  private device: (Device | null)[] = [];
  private deviceTs = new Float64Array(1024);

  get size(): number {
    return this.index.size;
  }

  observe(nodeType: number, topic: number, nodeId: number, ts: number, device: Device | null): void {
    const row = this.index.rowOf(nodeType, topic, nodeId);
    const isNewRow = this.index.inserted;
    this.observations.record(row, isNewRow, ts);
    if (isNewRow) {
      this.deviceTs = grown(this.deviceTs, row + 1);
      this.deviceTs[row] = -Infinity;
      this.device[row] = null;
    }
    if (device !== null && ts >= this.deviceTs[row]!) {
      this.deviceTs[row] = ts;
      this.device[row] = device;
    }
  }

  rows(ids: readonly string[], topics: readonly string[]): NodeRows {
    const length = this.index.size;
    const nodeType = new Uint8Array(length);
    const sourceTopic = new Int32Array(length);
    const nodeId = new Int32Array(length);
    for (let row = 0; row < length; row++) {
      nodeType[row] = this.index.key(row, 0);
      sourceTopic[row] = this.index.key(row, 1);
      nodeId[row] = this.index.key(row, 2);
    }
    const { firstSeen, lastSeen, eventCount } = this.observations;
    return {
      length, nodeType, nodeId, sourceTopic, ids, topics,
      firstSeen: firstSeen.subarray(0, length),
      lastSeen: lastSeen.subarray(0, length),
      eventCount: eventCount.subarray(0, length),
      device: this.device.slice(0, length),
      deviceTs: this.deviceTs.subarray(0, length),
    };
  }

  clear(): void {
    this.index.clear();
    this.device = [];
  }
}
