/**
 * Splits the rows of an Arrow table by partition. Transform values are computed
 * column-wise straight from Arrow buffers (string bytes are hashed in place, timestamps
 * read as two int32 words), and rows are grouped through a trie of Maps keyed by the
 * int partition values, so no per-row objects are created.
 */
import type * as arrow from 'apache-arrow';
import type { PartitionSpec } from '../spec/partition-spec.js';
import { murmur3Bytes, murmur3Long } from '../spec/murmur3.js';
import { fieldById, type NestedField, type Schema } from '../spec/schema.js';
import { bucketOf, dayOfMicros, hourOfMicros, parseTransform, type ParsedTransform } from '../spec/transforms.js';

export interface PartitionGroups {
  /** One int tuple per partition, aligned with the spec's fields. */
  readonly partitions: readonly (readonly number[])[];
  /** Rows ordered by partition: group g owns positions [starts[g], starts[g+1]). */
  readonly starts: Int32Array;
  /** For each ordered position, the record batch and the row within it. */
  readonly batchOf: Int32Array;
  readonly rowOf: Int32Array;
}

const TWO_POW_32 = 4294967296;

/** Int32 views of a 64-bit column's words; `lo`/`hi` of row i are at 2i and 2i+1. */
function int64Words(data: arrow.Data): Int32Array {
  const values = data.values as BigInt64Array;
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

function transformColumn(transform: ParsedTransform, source: NestedField, data: arrow.Data): Int32Array {
  if (data.nullCount > 0) throw new Error(`partition source column "${source.name}" holds nulls`);
  const out = new Int32Array(data.length);
  const unsupported = () => new Error(`cannot partition by ${transform.kind} of ${source.type} column "${source.name}"`);
  switch (transform.kind) {
    case 'bucket': {
      const n = transform.buckets;
      if (source.type === 'string' || source.type === 'binary') {
        const { values, valueOffsets } = data as arrow.Data<arrow.Utf8 | arrow.Binary>;
        for (let i = 0; i < out.length; i++) out[i] = bucketOf(murmur3Bytes(values, valueOffsets[i], valueOffsets[i + 1]), n);
      } else if (source.type === 'long' || source.type === 'timestamp' || source.type === 'timestamptz') {
        const words = int64Words(data);
        for (let i = 0; i < out.length; i++) out[i] = bucketOf(murmur3Long(words[2 * i], words[2 * i + 1]), n);
      } else if (source.type === 'int' || source.type === 'date') {
        const values = data.values as Int32Array;
        for (let i = 0; i < out.length; i++) out[i] = bucketOf(murmur3Long(values[i], values[i] < 0 ? -1 : 0), n);
      } else throw unsupported();
      return out;
    }
    case 'day':
    case 'hour': {
      if (source.type !== 'timestamp' && source.type !== 'timestamptz') throw unsupported();
      const toUnit = transform.kind === 'day' ? dayOfMicros : hourOfMicros;
      const words = int64Words(data);
      for (let i = 0; i < out.length; i++) out[i] = toUnit(words[2 * i + 1] * TWO_POW_32 + (words[2 * i] >>> 0));
      return out;
    }
    case 'identity':
      if (source.type !== 'int' && source.type !== 'date') throw unsupported();
      out.set(data.values as Int32Array);
      return out;
  }
}

type Trie = Map<number, Trie | number>;

export function partitionRows(rows: arrow.Table, schema: Schema, spec: PartitionSpec): PartitionGroups {
  const fields = spec.fields.map((f) => ({
    transform: parseTransform(f.transform),
    source: fieldById(schema, f['source-id']),
    column: rows.schema.fields.findIndex((c) => c.name === fieldById(schema, f['source-id']).name),
  }));
  const partitions: number[][] = [];
  const groupOfRow = new Int32Array(rows.numRows);
  const root: Trie = new Map();
  let at = 0;
  for (const batch of rows.batches) {
    const columns = fields.map((f) => transformColumn(f.transform, f.source, batch.data.children[f.column]));
    for (let i = 0; i < batch.numRows; i++, at++) {
      let node = root;
      for (let f = 0; f < columns.length - 1; f++) {
        let next = node.get(columns[f][i]) as Trie | undefined;
        if (!next) node.set(columns[f][i], (next = new Map()));
        node = next;
      }
      const leafKey = columns.length > 0 ? columns[columns.length - 1][i] : 0;
      let group = node.get(leafKey) as number | undefined;
      if (group === undefined) {
        group = partitions.length;
        node.set(leafKey, group);
        partitions.push(columns.map((c) => c[i]));
      }
      groupOfRow[at] = group;
    }
  }

  // Counting sort of rows by group, keeping input order within a group.
  const starts = new Int32Array(partitions.length + 1);
  for (const g of groupOfRow) starts[g + 1]++;
  for (let g = 0; g < partitions.length; g++) starts[g + 1] += starts[g];
  const next = starts.slice(0, partitions.length);
  const batchOf = new Int32Array(rows.numRows);
  const rowOf = new Int32Array(rows.numRows);
  at = 0;
  rows.batches.forEach((batch, b) => {
    for (let i = 0; i < batch.numRows; i++, at++) {
      const position = next[groupOfRow[at]]++;
      batchOf[position] = b;
      rowOf[position] = i;
    }
  });
  return { partitions, starts, batchOf, rowOf };
}
