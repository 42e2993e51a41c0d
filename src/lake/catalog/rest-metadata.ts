/**
 * Turns the table metadata a REST catalog returns (iceberg-js's loose LoadTableResult
 * shape) into lakegraph's TableMetadata, refusing what lakegraph cannot commit to safely.
 */
import type { TableMetadata as RestTableMetadata } from 'iceberg-js';
import type { CreateTableRequest, TableIdentifier } from './catalog.js';
import { formatTableIdentifier } from './catalog.js';
import type { SnapshotRef } from '../spec/snapshot.js';
import { MAIN_BRANCH } from '../spec/snapshot.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { currentSchema, defaultPartitionSpec } from '../spec/table-metadata.js';

export function tableMetadataFromRest(table: TableIdentifier, rest: RestTableMetadata): TableMetadata {
  const name = formatTableIdentifier(table);
  if (rest['format-version'] !== 2) {
    throw new Error(`table ${name} is Iceberg format v${rest['format-version']}; lakegraph writes v2 tables only`);
  }
  if (!rest.location) throw new Error(`REST catalog returned table ${name} without a location`);
  assertExactSnapshotIds(name, rest);

  const currentId = rest['current-snapshot-id'];
  const hasCurrent = currentId !== undefined && currentId !== null && currentId !== -1;
  // Catalogs written before refs existed (spec v1 era) only carry current-snapshot-id; main is that snapshot.
  const refs: Record<string, SnapshotRef> =
    rest.refs ?? (hasCurrent ? { [MAIN_BRANCH]: { 'snapshot-id': currentId, type: 'branch' } } : {});

  // The remaining fields match the spec's JSON form, which both shapes follow.
  return {
    ...(rest as unknown as TableMetadata),
    location: rest.location,
    'last-sequence-number': rest['last-sequence-number'] ?? 0,
    snapshots: (rest.snapshots ?? []) as TableMetadata['snapshots'],
    'snapshot-log': rest['snapshot-log'] ?? [],
    'metadata-log': rest['metadata-log'] ?? [],
    refs,
  };
}

/**
 * iceberg-js parses responses with plain JSON.parse, so an id above 2^53−1 (Java and
 * PyIceberg writers pick random 63-bit ids) arrives rounded. A rounded parent id would
 * make every `assert-ref-snapshot-id` fail forever, so such a table is refused up front.
 * lakegraph's own ids stay within 2^53−1 (see spec/snapshot.ts).
 */
function assertExactSnapshotIds(name: string, rest: RestTableMetadata): void {
  const ids: Array<number | null | undefined> = [rest['current-snapshot-id']];
  for (const s of rest.snapshots ?? []) ids.push(s['snapshot-id'], s['parent-snapshot-id']);
  for (const ref of Object.values(rest.refs ?? {})) ids.push(ref['snapshot-id']);
  const inexact = ids.find((id) => id !== undefined && id !== null && id !== -1 && !Number.isSafeInteger(id));
  if (inexact !== undefined) {
    throw new Error(
      `table ${name} has snapshot id ~${inexact}, above 2^53−1; JSON numbers from the REST catalog lose precision ` +
        'beyond that, so lakegraph cannot commit to this table through REST',
    );
  }
}

/**
 * The server assigns fresh field ids when it creates a table. Data files carry the ids
 * of the requested schema and spec, so a renumbering server would make them unreadable;
 * fail at creation instead.
 */
export function assertCreatedAsRequested(table: TableIdentifier, request: CreateTableRequest, created: TableMetadata): void {
  const name = formatTableIdentifier(table);
  const schema = currentSchema(created);
  for (const wanted of request.schema.fields) {
    const got = schema.fields.find((f) => f.name === wanted.name);
    if (got?.id !== wanted.id || got.type !== wanted.type || got.required !== wanted.required) {
      throw new Error(
        `REST catalog created ${name} with column ${wanted.name} as ${describeField(got)}; requested id ${wanted.id} ${wanted.type}`,
      );
    }
  }
  const spec = defaultPartitionSpec(created);
  for (const wanted of request.partitionSpec.fields) {
    const got = spec.fields.find((f) => f.name === wanted.name);
    if (got?.['field-id'] !== wanted['field-id'] || got['source-id'] !== wanted['source-id'] || got.transform !== wanted.transform) {
      throw new Error(
        `REST catalog created ${name} with partition field ${wanted.name} as ${JSON.stringify(got)}; requested ${JSON.stringify(wanted)}`,
      );
    }
  }
}

function describeField(field: { id: number; type: string } | undefined): string {
  return field ? `id ${field.id} ${field.type}` : 'missing';
}
