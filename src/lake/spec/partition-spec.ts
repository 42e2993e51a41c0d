/** Iceberg partition specs (spec: "Partitioning"), kept free of any I/O. */

/** The transforms lakegraph uses; the string form is the spec's JSON form (`bucket[8]`). */
export type Transform = 'identity' | 'day' | 'hour' | `bucket[${number}]`;

export interface PartitionField {
  /** Id of the schema field the transform reads. */
  readonly 'source-id': number;
  /** Partition field id; unique across all specs of a table, starting at 1000. */
  readonly 'field-id': number;
  readonly name: string;
  readonly transform: Transform;
}

export interface PartitionSpec {
  readonly 'spec-id': number;
  readonly fields: readonly PartitionField[];
}

/**
 * One partition tuple, positionally aligned with `PartitionSpec.fields`.
 * bucket/day/hour yield ints; identity yields the source value (string, number or bigint).
 */
export type PartitionValue = number | bigint | string | null;
export type PartitionValues = readonly PartitionValue[];

export const UNPARTITIONED: PartitionSpec = { 'spec-id': 0, fields: [] };

/** The spec requires partition field ids to start above the reserved range; 1000 is the convention. */
export const FIRST_PARTITION_FIELD_ID = 1000;

export function lastPartitionIdOf(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f['field-id']), FIRST_PARTITION_FIELD_ID - 1);
}

/** Same fields (ids, sources, transforms, names) in the same order: specs that partition data alike. */
export function samePartitionFields(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i]!;
      return f['field-id'] === g['field-id'] && f['source-id'] === g['source-id'] && f.transform === g.transform && f.name === g.name;
    })
  );
}
