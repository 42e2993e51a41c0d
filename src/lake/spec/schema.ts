/** Iceberg v2 schema types (spec: "Schemas and Data Types"), kept free of any I/O. */

export type PrimitiveType = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'binary' | 'date' | 'timestamp' | 'timestamptz';

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: PrimitiveType;
  readonly doc?: string;
}

export interface Schema {
  readonly type: 'struct';
  readonly 'schema-id': number;
  readonly fields: readonly NestedField[];
}

export function fieldByName(schema: Schema, name: string): NestedField {
  const field = schema.fields.find((f) => f.name === name);
  if (!field) throw new Error(`schema ${schema['schema-id']} has no field "${name}"`);
  return field;
}

export function fieldById(schema: Schema, id: number): NestedField {
  const field = schema.fields.find((f) => f.id === id);
  if (!field) throw new Error(`schema ${schema['schema-id']} has no field with id ${id}`);
  return field;
}
