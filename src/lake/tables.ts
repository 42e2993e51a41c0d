/**
 * The three graph tables of docs/CONTRACTS.md §3: their Iceberg schemas (with stable field ids),
 * partition specs, sort orders, and the Arrow schemas that batches handed to the lake must match.
 */
import * as arrow from 'apache-arrow';
import { FIRST_PARTITION_FIELD_ID, type PartitionSpec } from './spec/partition-spec.js';
import { fieldByName, type PrimitiveType, type Schema } from './spec/schema.js';
import { UNSORTED, type SortOrder } from './spec/sort-order.js';
import { bucketTransform } from './spec/transforms.js';

export const NAMESPACE = 'graph';
/** Every graph table, in the order a window commits to them. */
export const TABLE_NAMES = ['edges', 'nodes', 'rejected_events'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

function schema(fields: Array<[name: string, type: PrimitiveType, required: boolean]>): Schema {
  return {
    type: 'struct',
    'schema-id': 0,
    fields: fields.map(([name, type, required], i) => ({ id: i + 1, name, type, required })),
  };
}

export const EDGES_SCHEMA = schema([
  ['edge_type', 'string', true],
  ['src_type', 'string', true],
  ['src_id', 'string', true],
  ['dst_type', 'string', true],
  ['dst_id', 'string', true],
  ['first_seen', 'timestamptz', true],
  ['last_seen', 'timestamptz', true],
  ['event_count', 'long', true],
  ['source_topic', 'string', true],
]);

export const NODES_SCHEMA = schema([
  ['node_type', 'string', true],
  ['node_id', 'string', true],
  ['first_seen', 'timestamptz', true],
  ['last_seen', 'timestamptz', true],
  ['event_count', 'long', true],
  ['props', 'string', false],
  ['source_topic', 'string', true],
  // Added after the first release: older tables gain it by evolve-schema.ts (null in their old rows).
  ['props_ts', 'timestamptz', false],
]);

export const REJECTED_SCHEMA = schema([
  ['topic', 'string', true],
  ['partition', 'int', true],
  ['offset', 'long', true],
  ['key', 'binary', false],
  ['payload', 'binary', true],
  ['reason', 'string', true],
  ['rejected_at', 'timestamptz', true],
]);

export const TABLE_SCHEMAS: Record<TableName, Schema> = {
  edges: EDGES_SCHEMA,
  nodes: NODES_SCHEMA,
  rejected_events: REJECTED_SCHEMA,
};

/**
 * Partition specs. The dominant query is "what did this member do in the last N
 * minutes": it names source ids and a time window. So edges are split by
 * `day(last_seen)` and `bucket(8, src_id)`: a member/time query opens only the buckets
 * of the member's ids on the days of the window, and within a day the per-file
 * `last_seen` bounds prune further, because a streaming file covers only seconds.
 * Eight buckets keep the file count per commit small (a commit writes one file per
 * touched partition) while cutting member scans to an eighth.
 * Nodes are looked up by id at any time, so they are bucketed by `node_id` only.
 * Rejected events are inspected by time, so they are split by `day(rejected_at)`.
 */
export const EDGES_PARTITION_SPEC = partitionSpec(EDGES_SCHEMA, [
  ['last_seen', 'day'],
  ['src_id', bucketTransform(8)],
]);

export const NODES_PARTITION_SPEC = partitionSpec(NODES_SCHEMA, [['node_id', bucketTransform(8)]]);

export const REJECTED_PARTITION_SPEC = partitionSpec(REJECTED_SCHEMA, [['rejected_at', 'day']]);

export const TABLE_PARTITION_SPECS: Record<TableName, PartitionSpec> = {
  edges: EDGES_PARTITION_SPEC,
  nodes: NODES_PARTITION_SPEC,
  rejected_events: REJECTED_PARTITION_SPEC,
};

/** Field names follow the Java/PyIceberg defaults (`<column>_<transform>`). */
function partitionSpec(schema: Schema, fields: Array<[column: string, transform: PartitionSpec['fields'][number]['transform']]>): PartitionSpec {
  return {
    'spec-id': 0,
    fields: fields.map(([column, transform], i) => ({
      'source-id': fieldByName(schema, column).id,
      'field-id': FIRST_PARTITION_FIELD_ID + i,
      name: `${column}_${transform.startsWith('bucket') ? 'bucket' : transform}`,
      transform,
    })),
  };
}

/**
 * Sort orders, applied within every data file written. Queries name member ids: with
 * edges sorted by `src_id` (then time) and bounded row groups, Parquet row-group min/max
 * on `src_id` lets a reader skip all but the few row groups holding the member; nodes
 * likewise by `node_id`. Rejected events are only scanned by day, so they stay unsorted.
 */
export const EDGES_SORT_ORDER = sortOrder(EDGES_SCHEMA, ['src_id', 'last_seen']);
export const NODES_SORT_ORDER = sortOrder(NODES_SCHEMA, ['node_id']);

export const TABLE_SORT_ORDERS: Record<TableName, SortOrder> = {
  edges: EDGES_SORT_ORDER,
  nodes: NODES_SORT_ORDER,
  rejected_events: UNSORTED,
};

/** Ascending identity fields; order id 1 is the first after the reserved "unsorted" 0. */
function sortOrder(schema: Schema, columns: readonly string[]): SortOrder {
  return {
    'order-id': 1,
    fields: columns.map((column) => ({
      transform: 'identity',
      'source-id': fieldByName(schema, column).id,
      direction: 'asc',
      'null-order': 'nulls-first',
    })),
  };
}

function arrowType(type: PrimitiveType): arrow.DataType {
  switch (type) {
    case 'string': return new arrow.Utf8();
    case 'binary': return new arrow.Binary();
    case 'int': return new arrow.Int32();
    case 'long': return new arrow.Int64();
    case 'timestamptz': return new arrow.TimestampMicrosecond('UTC');
    case 'timestamp': return new arrow.TimestampMicrosecond();
    case 'boolean': return new arrow.Bool();
    case 'float': return new arrow.Float32();
    case 'double': return new arrow.Float64();
    case 'date': return new arrow.DateDay();
  }
}

/** Arrow schema for an Iceberg schema; `PARQUET:field_id` carries the Iceberg field id into Parquet. */
export function arrowSchemaOf(schema: Schema): arrow.Schema {
  return new arrow.Schema(
    schema.fields.map(
      (f) => new arrow.Field(f.name, arrowType(f.type), !f.required, new Map([['PARQUET:field_id', String(f.id)]])),
    ),
  );
}
