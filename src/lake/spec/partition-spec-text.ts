/**
 * Partition specs as people write them — `day(last_seen), bucket(16, src_id)`, the form of
 * Spark's `PARTITIONED BY` and of docs/CONTRACTS.md §3 — parsed into transforms on named
 * columns, and printed back the same way. Only transforms lakegraph's writers can apply
 * are accepted (partition-rows.ts): `bucket(N, col)` on string, binary, int, long, date or
 * timestamp columns, `day(col)` and `hour(col)` on timestamps, and identity (`col` or
 * `identity(col)`) on int or date columns.
 */
import type { PartitionSpec, Transform } from './partition-spec.js';
import { fieldById, type PrimitiveType, type Schema } from './schema.js';
import { bucketTransform, parseTransform } from './transforms.js';

/** One field of a spec before it has a field id: a transform of a schema column. */
export interface UnboundPartitionField {
  readonly column: string;
  readonly transform: Transform;
}

export class PartitionSpecSyntaxError extends Error {
  override readonly name = 'PartitionSpecSyntaxError';
}

const TIMESTAMPS: readonly PrimitiveType[] = ['timestamp', 'timestamptz'];
const APPLIES_TO: Record<'identity' | 'bucket' | 'day' | 'hour', readonly PrimitiveType[]> = {
  identity: ['int', 'date'],
  bucket: ['string', 'binary', 'int', 'long', 'date', ...TIMESTAMPS],
  day: TIMESTAMPS,
  hour: TIMESTAMPS,
};

const FIELD = /^(?:(identity|day|hour)\(\s*(\w+)\s*\)|bucket\(\s*(\d+)\s*,\s*(\w+)\s*\)|(\w+))$/;

/** `text` checked against `schema`; throws PartitionSpecSyntaxError saying what is wrong. */
export function parsePartitionSpecText(text: string, schema: Schema): UnboundPartitionField[] {
  const parts = splitTopLevel(text);
  if (parts.length === 0) throw new PartitionSpecSyntaxError('empty partition spec; write e.g. "day(last_seen), bucket(16, src_id)"');
  const fields = parts.map((part): UnboundPartitionField => {
    const match = FIELD.exec(part);
    if (!match) {
      throw new PartitionSpecSyntaxError(`cannot read "${part}"; write transforms as day(col), hour(col), bucket(N, col), identity(col) or col`);
    }
    const [, unary, unaryColumn, buckets, bucketColumn, bare] = match;
    if (buckets !== undefined) {
      const n = Number(buckets);
      if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) throw new PartitionSpecSyntaxError(`bucket(${buckets}, …): the bucket count must be a positive 32-bit int`);
      return { column: bucketColumn!, transform: bucketTransform(n) };
    }
    return { column: (unaryColumn ?? bare)!, transform: (unary ?? 'identity') as Transform };
  });
  for (const field of fields) {
    const column = schema.fields.find((f) => f.name === field.column);
    if (!column) throw new PartitionSpecSyntaxError(`no column "${field.column}"; columns: ${schema.fields.map((f) => f.name).join(', ')}`);
    const kind = parseTransform(field.transform).kind;
    if (!APPLIES_TO[kind].includes(column.type)) {
      throw new PartitionSpecSyntaxError(`${kind} does not apply to ${column.type} column "${column.name}" (it takes ${APPLIES_TO[kind].join(', ')})`);
    }
  }
  const seen = new Set<string>();
  for (const field of fields) {
    const key = `${field.column}/${parseTransform(field.transform).kind}`;
    if (seen.has(key)) throw new PartitionSpecSyntaxError(`"${field.column}" is partitioned by ${parseTransform(field.transform).kind} twice`);
    seen.add(key);
  }
  return fields;
}

/** Commas inside parentheses belong to a transform (`bucket(16, src_id)`). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if ((c === ',' && depth === 0) || i === text.length) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}

/** A transform as the text form writes it: `bucket(16, src_id)`, `day(last_seen)`, the bare column for identity. */
export function formatPartitionField(column: string, transform: Transform): string {
  const parsed = parseTransform(transform);
  if (parsed.kind === 'identity') return column;
  if (parsed.kind === 'bucket') return `bucket(${parsed.buckets}, ${column})`;
  return `${parsed.kind}(${column})`;
}

export function formatPartitionSpec(spec: PartitionSpec, schema: Schema): string {
  if (spec.fields.length === 0) return 'unpartitioned';
  return spec.fields.map((f) => formatPartitionField(fieldById(schema, f['source-id']).name, f.transform)).join(', ');
}
