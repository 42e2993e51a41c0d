/**
 * Partition spec evolution (spec: "Partition Evolution"): a table's new data files are
 * partitioned differently from now on, while the files already written keep the spec they
 * were written with — every manifest names its spec, and readers, planning and compaction
 * look each file's spec up by id. One metadata commit: `add-spec` + `set-default-spec`,
 * guarded by `assert-default-spec-id` and `assert-last-assigned-partition-id` so two
 * evolutions cannot interleave; snapshots are untouched, so writers committing meanwhile
 * do not conflict with it (their next files take the new default).
 */
import { withRetries } from '../../common/backoff.js';
import type { TableCommit } from '../catalog/catalog.js';
import { formatTableIdentifier } from '../catalog/catalog.js';
import { samePartitionFields, type PartitionField, type PartitionSpec } from '../spec/partition-spec.js';
import type { UnboundPartitionField } from '../spec/partition-spec-text.js';
import { fieldByName } from '../spec/schema.js';
import { currentSchema, defaultPartitionSpec, type TableMetadata } from '../spec/table-metadata.js';
import { parseTransform } from '../spec/transforms.js';
import { commitMetadataChange } from './commit-metadata-change.js';
import { COMMIT_CONFLICT_RETRIES } from './snapshot-transaction.js';
import type { Table } from './table.js';

export interface PartitionSpecChange {
  /** The default spec before. */
  readonly from: PartitionSpec;
  /** The default spec after (as committed, or as it would be in a dry run). */
  readonly to: PartitionSpec;
  /** `unchanged`: `to` is `from`; `existing`: an earlier spec becomes the default again; `added`: a new spec. */
  readonly kind: 'unchanged' | 'existing' | 'added';
  /** The metadata after the commit (before it, when nothing was committed). */
  readonly metadata: TableMetadata;
}

/** Field names as Java's UpdatePartitionSpec makes them, so every engine reading all specs sees distinct names. */
function defaultFieldName(field: UnboundPartitionField): string {
  const transform = parseTransform(field.transform);
  switch (transform.kind) {
    case 'identity': return field.column;
    case 'bucket': return `${field.column}_bucket_${transform.buckets}`;
    default: return `${field.column}_${transform.kind}`;
  }
}

/**
 * `fields` as a spec of `metadata`'s table. A field that some spec of the table already
 * has (same source column and transform) keeps that field's id and name, as Java does:
 * its partition values mean the same thing in both specs. Any other field gets the next
 * id after the table's last assigned partition id. The spec id is an identical spec's,
 * or the next free one.
 */
export function bindPartitionSpec(metadata: TableMetadata, fields: readonly UnboundPartitionField[]): PartitionSpec {
  const schema = currentSchema(metadata);
  const earlier = metadata['partition-specs'].flatMap((s) => s.fields);
  const taken = new Set(earlier.map((f) => f.name));
  let lastId = metadata['last-partition-id'];
  const bound = fields.map((field): PartitionField => {
    const sourceId = fieldByName(schema, field.column).id;
    const same = earlier.find((f) => f['source-id'] === sourceId && f.transform === field.transform);
    if (same) return same;
    const fieldId = ++lastId;
    const name = taken.has(defaultFieldName(field)) ? `${defaultFieldName(field)}_${fieldId}` : defaultFieldName(field);
    taken.add(name);
    return { 'source-id': sourceId, 'field-id': fieldId, name, transform: field.transform };
  });
  const candidate: PartitionSpec = { 'spec-id': Math.max(...metadata['partition-specs'].map((s) => s['spec-id'])) + 1, fields: bound };
  return metadata['partition-specs'].find((s) => samePartitionFields(s, candidate)) ?? candidate;
}

/** The commit that makes `spec` (from bindPartitionSpec on `base`) the default. */
function evolutionCommit(base: TableMetadata, spec: PartitionSpec, added: boolean): TableCommit {
  return {
    requirements: [
      { type: 'assert-table-uuid', uuid: base['table-uuid'] },
      { type: 'assert-default-spec-id', 'default-spec-id': base['default-spec-id'] },
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': base['last-partition-id'] },
    ],
    updates: added
      ? [{ action: 'add-spec', spec }, { action: 'set-default-spec', 'spec-id': -1 }]
      : [{ action: 'set-default-spec', 'spec-id': spec['spec-id'] }],
  };
}

/**
 * Makes `fields` the table's default partition spec. Re-planned from the reloaded table on
 * a conflict (another evolution landed first). `dryRun` says what would change, commits nothing.
 */
export async function evolvePartitionSpec(table: Table, fields: readonly UnboundPartitionField[], options: { readonly dryRun?: boolean } = {}): Promise<PartitionSpecChange> {
  return withRetries(async () => {
    const base = await table.refresh();
    const from = defaultPartitionSpec(base);
    const to = bindPartitionSpec(base, fields);
    const added = !base['partition-specs'].some((s) => s['spec-id'] === to['spec-id']);
    const kind = to['spec-id'] === from['spec-id'] ? 'unchanged' : added ? 'added' : 'existing';
    if (kind === 'unchanged' || options.dryRun) return { from, to, kind, metadata: base };
    // A lost answer: the commit landed if the default spec is the one it set.
    const metadata = await commitMetadataChange(table, evolutionCommit(base, to, added), (current) => samePartitionFields(defaultPartitionSpec(current), to));
    const committed = defaultPartitionSpec(metadata);
    // A catalog that renumbered the fields would make the partition tuples written from now on unreadable.
    if (!samePartitionFields(committed, to)) {
      throw new Error(`catalog committed ${formatTableIdentifier(table.id)}'s new partition spec as ${JSON.stringify(committed)}; lakegraph sent ${JSON.stringify(to)}`);
    }
    table.metadata = metadata;
    return { from, to: committed, kind, metadata };
  }, COMMIT_CONFLICT_RETRIES);
}
