/**
 * The Avro schemas of manifests and manifest lists (spec: "Manifests", "Manifest Lists"),
 * with the spec's field ids. Maps with int keys are arrays of key/value records marked
 * `logicalType: map`, as the spec's Avro mapping requires; record names follow the
 * Java writer (`r2`, `r102`, `k117_v118`, …) so every reader resolves them.
 */
import type { PrimitiveType } from '../spec/schema.js';
import type { AvroSchema } from './avro-container.js';

export interface PartitionFieldType {
  readonly name: string;
  readonly fieldId: number;
  readonly type: PrimitiveType;
}

function avroPrimitive(type: PrimitiveType): unknown {
  switch (type) {
    case 'boolean': case 'int': case 'long': case 'float': case 'double': case 'string':
      return type;
    case 'binary': return 'bytes';
    case 'date': return { type: 'int', logicalType: 'date' };
    case 'timestamp': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
  }
}

function optional(name: string, fieldId: number, type: unknown): AvroSchema {
  return { name, type: ['null', type], default: null, 'field-id': fieldId };
}

function required(name: string, fieldId: number, type: unknown): AvroSchema {
  return { name, type, 'field-id': fieldId };
}

function intKeyedMap(name: string, fieldId: number, keyId: number, valueId: number, valueType: string): AvroSchema {
  return optional(name, fieldId, {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [required('key', keyId, 'int'), required('value', valueId, valueType)],
    },
  });
}

function list(name: string, fieldId: number, elementId: number, elementType: string): AvroSchema {
  return optional(name, fieldId, { type: 'array', items: elementType, 'element-id': elementId });
}

export function manifestEntrySchema(partition: readonly PartitionFieldType[]): AvroSchema {
  const partitionRecord = {
    type: 'record',
    name: 'r102',
    fields: partition.map((f) => optional(f.name, f.fieldId, avroPrimitive(f.type))),
  };
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      required('content', 134, 'int'),
      required('file_path', 100, 'string'),
      required('file_format', 101, 'string'),
      required('partition', 102, partitionRecord),
      required('record_count', 103, 'long'),
      required('file_size_in_bytes', 104, 'long'),
      intKeyedMap('column_sizes', 108, 117, 118, 'long'),
      intKeyedMap('value_counts', 109, 119, 120, 'long'),
      intKeyedMap('null_value_counts', 110, 121, 122, 'long'),
      intKeyedMap('nan_value_counts', 137, 138, 139, 'long'),
      intKeyedMap('lower_bounds', 125, 126, 127, 'bytes'),
      intKeyedMap('upper_bounds', 128, 129, 130, 'bytes'),
      optional('key_metadata', 131, 'bytes'),
      list('split_offsets', 132, 133, 'long'),
      list('equality_ids', 135, 136, 'int'),
      optional('sort_order_id', 140, 'int'),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required('status', 0, 'int'),
      optional('snapshot_id', 1, 'long'),
      optional('sequence_number', 3, 'long'),
      optional('file_sequence_number', 4, 'long'),
      required('data_file', 2, dataFile),
    ],
  };
}

export const MANIFEST_LIST_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 500, 'string'),
    required('manifest_length', 501, 'long'),
    required('partition_spec_id', 502, 'int'),
    required('content', 517, 'int'),
    required('sequence_number', 515, 'long'),
    required('min_sequence_number', 516, 'long'),
    required('added_snapshot_id', 503, 'long'),
    required('added_files_count', 504, 'int'),
    required('existing_files_count', 505, 'int'),
    required('deleted_files_count', 506, 'int'),
    required('added_rows_count', 512, 'long'),
    required('existing_rows_count', 513, 'long'),
    required('deleted_rows_count', 514, 'long'),
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          required('contains_null', 509, 'boolean'),
          optional('contains_nan', 518, 'boolean'),
          optional('lower_bound', 510, 'bytes'),
          optional('upper_bound', 511, 'bytes'),
        ],
      },
    }),
    optional('key_metadata', 519, 'bytes'),
  ],
};
