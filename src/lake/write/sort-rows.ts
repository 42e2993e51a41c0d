/**
 * Orders each partition's rows by the table's sort order, in place on the partition
 * grouping (so the one gather that follows writes sorted files). Keys are compared
 * straight in the Arrow buffers: strings as unsigned UTF-8 bytes (the order Parquet
 * statistics and Iceberg bounds use), 64-bit values as two int32 words.
 *
 * A full comparison sort over string keys costs a byte loop per comparison, so the
 * first sort field is reduced to dense int ranks instead: rows are deduplicated through
 * a hash table, only the distinct values are comparison-sorted (member ids repeat a lot),
 * and rows are then counting-sorted by rank. Later fields only order the short runs of
 * rows that share a first key.
 */
import type * as arrow from 'apache-arrow';
import { murmur3Bytes } from '../spec/murmur3.js';
import { fieldById, type NestedField, type Schema } from '../spec/schema.js';
import type { SortField, SortOrder } from '../spec/sort-order.js';
import type { PartitionGroups } from './partition-rows.js';

/** Compares row `rowA` of batch `batchA` with row `rowB` of batch `batchB`: <0, 0 or >0. */
type CompareRows = (batchA: number, rowA: number, batchB: number, rowB: number) => number;
type HashRow = (batch: number, row: number) => number;

interface SortKey {
  readonly compare: CompareRows;
  /** Equal for rows that compare as 0. */
  readonly hash: HashRow;
}

const GOLDEN = 0x9e3779b1;
/** Below this, insertion sort beats TypedArray#sort's per-call overhead. */
const INSERTION_SORT_MAX = 16;

function int32Words(data: arrow.Data): Int32Array {
  const values = data.values as ArrayBufferView;
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}

function valueKey(source: NestedField, chunks: readonly arrow.Data[]): SortKey {
  switch (source.type) {
    case 'string':
    case 'binary': {
      const bytes = chunks.map((c) => c.values as Uint8Array);
      const offsets = chunks.map((c) => c.valueOffsets as Int32Array);
      return {
        compare(batchA, rowA, batchB, rowB) {
          const a = bytes[batchA], b = bytes[batchB];
          let i = offsets[batchA][rowA], j = offsets[batchB][rowB];
          const endA = offsets[batchA][rowA + 1], endB = offsets[batchB][rowB + 1];
          for (; i < endA && j < endB; i++, j++) if (a[i] !== b[j]) return a[i] - b[j];
          return endA - i - (endB - j);
        },
        hash: (batch, row) => murmur3Bytes(bytes[batch], offsets[batch][row], offsets[batch][row + 1]),
      };
    }
    case 'long':
    case 'timestamp':
    case 'timestamptz': {
      const words = chunks.map(int32Words);
      return {
        compare(batchA, rowA, batchB, rowB) {
          const a = words[batchA], b = words[batchB];
          const high = a[2 * rowA + 1] - b[2 * rowB + 1];
          return high !== 0 ? high : (a[2 * rowA] >>> 0) - (b[2 * rowB] >>> 0);
        },
        hash: (batch, row) => Math.imul(words[batch][2 * row] ^ Math.imul(words[batch][2 * row + 1], GOLDEN), GOLDEN),
      };
    }
    case 'int':
    case 'date': {
      const values = chunks.map(int32Words);
      return {
        compare: (batchA, rowA, batchB, rowB) => values[batchA][rowA] - values[batchB][rowB],
        hash: (batch, row) => Math.imul(values[batch][row], GOLDEN),
      };
    }
    default:
      throw new Error(`cannot sort by ${source.type} column "${source.name}"`);
  }
}

function isValid(data: arrow.Data, row: number): boolean {
  const bit = data.offset + row;
  return (data.nullBitmap![bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Direction applies to values; where nulls go is independent of it (spec: "Sorting"). */
function sortKey(field: SortField, source: NestedField, chunks: readonly arrow.Data[]): SortKey {
  if (field.transform !== 'identity') throw new Error(`sorting by ${field.transform}(${source.name}) is not supported`);
  const values = valueKey(source, chunks);
  const sign = field.direction === 'asc' ? 1 : -1;
  if (chunks.every((c) => c.nullCount === 0)) {
    return sign === 1 ? values : { compare: (ba, ra, bb, rb) => -values.compare(ba, ra, bb, rb), hash: values.hash };
  }
  const nullFirst = field['null-order'] === 'nulls-first' ? -1 : 1;
  return {
    compare(batchA, rowA, batchB, rowB) {
      const validA = chunks[batchA].nullCount === 0 || isValid(chunks[batchA], rowA);
      const validB = chunks[batchB].nullCount === 0 || isValid(chunks[batchB], rowB);
      if (validA && validB) return sign * values.compare(batchA, rowA, batchB, rowB);
      return validA === validB ? 0 : validA ? -nullFirst : nullFirst;
    },
    hash: (batch, row) => (chunks[batch].nullCount === 0 || isValid(chunks[batch], row) ? values.hash(batch, row) : 0),
  };
}

/**
 * Dense rank (0 = first in order) of each of the `length` rows at positions
 * `start…start+length` of batchOf/rowOf, by one key.
 */
function denseRanks(key: SortKey, batchOf: Int32Array, rowOf: Int32Array, start: number, length: number): { ranks: Int32Array; distinct: number } {
  const mask = (1 << Math.ceil(Math.log2(2 * length))) - 1;
  const slots = new Int32Array(mask + 1).fill(-1); // distinct id stored per slot
  const firstRowOf = new Int32Array(length); // of each distinct id, a row holding it
  const distinctOf = new Int32Array(length);
  let distinct = 0;
  for (let j = 0; j < length; j++) {
    const batch = batchOf[start + j], row = rowOf[start + j];
    let slot = key.hash(batch, row) & mask;
    for (;;) {
      const id = slots[slot];
      if (id === -1) {
        slots[slot] = distinct;
        firstRowOf[distinct] = j;
        distinctOf[j] = distinct++;
        break;
      }
      const other = start + firstRowOf[id];
      if (key.compare(batch, row, batchOf[other], rowOf[other]) === 0) {
        distinctOf[j] = id;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const byValue = new Int32Array(distinct);
  for (let id = 0; id < distinct; id++) byValue[id] = id;
  byValue.sort((x, y) => {
    const a = start + firstRowOf[x], b = start + firstRowOf[y];
    return key.compare(batchOf[a], rowOf[a], batchOf[b], rowOf[b]);
  });
  const rankOf = new Int32Array(distinct);
  for (let rank = 0; rank < distinct; rank++) rankOf[byValue[rank]] = rank;
  const ranks = new Int32Array(length);
  for (let j = 0; j < length; j++) ranks[j] = rankOf[distinctOf[j]];
  return { ranks, distinct };
}

/** Sorts `order[from…to)` stably by `compare`. */
function sortRun(order: Int32Array, from: number, to: number, compare: (x: number, y: number) => number): void {
  if (to - from > INSERTION_SORT_MAX) {
    order.subarray(from, to).sort(compare);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = order[i];
    let j = i - 1;
    for (; j >= from && compare(order[j], x) > 0; j--) order[j + 1] = order[j];
    order[j + 1] = x;
  }
}

/**
 * Reorders every group's rows of `groups` by `order` (ties keep their input order).
 * Only identity sort fields are supported, which is what lakegraph's tables declare.
 */
export function sortPartitionGroups(rows: arrow.Table, schema: Schema, order: SortOrder, groups: PartitionGroups): void {
  if (order.fields.length === 0) return;
  const keys = order.fields.map((field) => {
    const source = fieldById(schema, field['source-id']);
    const column = rows.schema.fields.findIndex((f) => f.name === source.name);
    return sortKey(field, source, rows.batches.map((b) => b.data.children[column]));
  });
  const [first, ...rest] = keys;
  const { batchOf, rowOf, starts } = groups;
  for (let g = 0; g + 1 < starts.length; g++) {
    const start = starts[g], length = starts[g + 1] - start;
    if (length < 2) continue;
    const { ranks, distinct } = denseRanks(first, batchOf, rowOf, start, length);
    // Counting sort by rank; runStarts[r] ends up where rank r's run begins.
    const runStarts = new Int32Array(distinct + 1);
    for (let j = 0; j < length; j++) runStarts[ranks[j] + 1]++;
    for (let r = 0; r < distinct; r++) runStarts[r + 1] += runStarts[r];
    const next = runStarts.slice(0, distinct);
    const sorted = new Int32Array(length);
    for (let j = 0; j < length; j++) sorted[next[ranks[j]]++] = j;
    if (rest.length > 0) {
      // Compares rows by index relative to `start`; one closure per group, not per run.
      const compareRest = (x: number, y: number): number => {
        const a = start + x, b = start + y;
        for (const key of rest) {
          const c = key.compare(batchOf[a], rowOf[a], batchOf[b], rowOf[b]);
          if (c !== 0) return c;
        }
        return 0;
      };
      for (let r = 0; r < distinct; r++) {
        if (runStarts[r + 1] - runStarts[r] > 1) sortRun(sorted, runStarts[r], runStarts[r + 1], compareRest);
      }
    }
    const batches = batchOf.slice(start, start + length), rowIndexes = rowOf.slice(start, start + length);
    for (let j = 0; j < length; j++) {
      batchOf[start + j] = batches[sorted[j]];
      rowOf[start + j] = rowIndexes[sorted[j]];
    }
  }
}
