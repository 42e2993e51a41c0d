/**
 * Scan filters: a conjunction of predicates on columns, enough for graph queries
 * (ids by equality or set, time windows by range). Evaluation answers "might this file
 * or manifest hold a matching row?" — never "does this row match".
 */
import type { DataFile } from '../spec/data-file.js';
import type { PartitionFieldSummary } from '../spec/manifest.js';
import type { PartitionSpec, PartitionValue } from '../spec/partition-spec.js';
import { fieldByName, type NestedField, type PrimitiveType, type Schema } from '../spec/schema.js';
import { deserializeSingleValue, serializeSingleValue, type Literal } from '../spec/single-value.js';
import { applyTransform, isOrderPreserving, parseTransform, transformResultType, type ParsedTransform } from '../spec/transforms.js';

/** Strings, or bigints for long/timestamp columns (timestamps in epoch micros). */
export type ScanLiteral = string | bigint | number;

export type Predicate =
  | { readonly op: 'eq'; readonly column: string; readonly value: ScanLiteral }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly ScanLiteral[] }
  /** Inclusive bounds; an absent bound is open. */
  | { readonly op: 'range'; readonly column: string; readonly min?: ScanLiteral; readonly max?: ScanLiteral };

/** All predicates must hold. */
export type Filter = readonly Predicate[];

export const eq = (column: string, value: ScanLiteral): Predicate => ({ op: 'eq', column, value });
export const isIn = (column: string, values: readonly ScanLiteral[]): Predicate => ({ op: 'in', column, values });
export const between = (column: string, min?: ScanLiteral, max?: ScanLiteral): Predicate => ({ op: 'range', column, min, max });

/** A predicate as a set of allowed values or an interval over one typed domain. */
type Constraint =
  | { readonly kind: 'set'; readonly values: readonly Literal[] }
  | { readonly kind: 'interval'; readonly min?: Literal; readonly max?: Literal };

function typed(type: PrimitiveType, value: ScanLiteral): Literal {
  switch (type) {
    case 'string': return String(value);
    case 'int': case 'date': return Number(value);
    case 'long': case 'timestamp': case 'timestamptz': return BigInt(value);
    default: throw new Error(`scan filters do not support ${type} columns`);
  }
}

function constraintOf(predicate: Predicate, type: PrimitiveType): Constraint {
  switch (predicate.op) {
    case 'eq': return { kind: 'set', values: [typed(type, predicate.value)] };
    case 'in': return { kind: 'set', values: predicate.values.map((v) => typed(type, v)) };
    case 'range': return {
      kind: 'interval',
      min: predicate.min === undefined ? undefined : typed(type, predicate.min),
      max: predicate.max === undefined ? undefined : typed(type, predicate.max),
    };
  }
}

/** Maps a source-column constraint through a transform; undefined when the transform loses the information. */
function transformed(constraint: Constraint, transform: ParsedTransform, sourceType: PrimitiveType): Constraint | undefined {
  const apply = (v: Literal): Literal => applyTransform(transform, sourceType, v) as Literal;
  if (constraint.kind === 'set') return { kind: 'set', values: constraint.values.map(apply) };
  if (!isOrderPreserving(transform)) return undefined;
  return {
    kind: 'interval',
    min: constraint.min === undefined ? undefined : apply(constraint.min),
    max: constraint.max === undefined ? undefined : apply(constraint.max),
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Iceberg orders strings by their UTF-8 bytes, which JS string comparison (UTF-16) does not match. */
function compare(type: PrimitiveType, a: Literal, b: Literal): number {
  if (type === 'string') return compareBytes(serializeSingleValue(type, a), serializeSingleValue(type, b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a value in [lower, upper] can satisfy the constraint. */
function overlaps(constraint: Constraint, type: PrimitiveType, lower: Literal, upper: Literal): boolean {
  if (constraint.kind === 'set') {
    return constraint.values.some((v) => compare(type, v, lower) >= 0 && compare(type, v, upper) <= 0);
  }
  return (
    (constraint.min === undefined || compare(type, constraint.min, upper) <= 0) &&
    (constraint.max === undefined || compare(type, constraint.max, lower) >= 0)
  );
}

interface BoundConstraint {
  readonly column: NestedField;
  readonly constraint: Constraint;
}

interface PartitionConstraint {
  readonly position: number;
  readonly type: PrimitiveType;
  readonly constraint: Constraint;
}

/** A filter resolved against a schema and partition spec, ready to test manifests and files. */
export class BoundFilter {
  private readonly columns: readonly BoundConstraint[];
  private readonly partitions: readonly PartitionConstraint[];

  constructor(filter: Filter, schema: Schema, spec: PartitionSpec) {
    this.columns = filter.map((p) => {
      const column = fieldByName(schema, p.column);
      return { column, constraint: constraintOf(p, column.type) };
    });
    this.partitions = this.columns.flatMap(({ column, constraint }) =>
      spec.fields.flatMap((field, position) => {
        if (field['source-id'] !== column.id) return [];
        const transform = parseTransform(field.transform);
        const mapped = transformed(constraint, transform, column.type);
        return mapped ? [{ position, type: transformResultType(transform, column.type), constraint: mapped }] : [];
      }),
    );
  }

  /** By the manifest's partition summaries (bounds of each partition field over its files). */
  mayMatchManifest(partitions: readonly PartitionFieldSummary[]): boolean {
    return this.partitions.every(({ position, type, constraint }) => {
      const summary = partitions[position];
      if (!summary) return true;
      if (summary.lowerBound === null || summary.upperBound === null) return false; // only nulls: no predicate matches
      return overlaps(constraint, type, deserializeSingleValue(type, summary.lowerBound), deserializeSingleValue(type, summary.upperBound));
    });
  }

  /** By the file's partition tuple, then by its column bounds. */
  mayMatchFile(file: DataFile): boolean {
    const partitionOk = this.partitions.every(({ position, type, constraint }) => {
      const value: PartitionValue = file.partition[position];
      return value !== null && overlaps(constraint, type, value as Literal, value as Literal);
    });
    return (
      partitionOk &&
      this.columns.every(({ column, constraint }) => {
        const lower = file.metrics.lowerBounds.get(column.id);
        const upper = file.metrics.upperBounds.get(column.id);
        if (lower === undefined || upper === undefined) return true;
        return overlaps(constraint, column.type, deserializeSingleValue(column.type, lower), deserializeSingleValue(column.type, upper));
      })
    );
  }
}
