/**
 * Turns the table metadata a REST catalog returns (iceberg-js's LoadTableResult shape,
 * big integers still tagged by int64-json-fetch.ts) into lakegraph's TableMetadata,
 * refusing what lakegraph cannot commit to. The REST object is iceberg-js's freshly parsed
 * answer, held by nothing else: its tags are untagged in place.
 */
import type { TableMetadata as RestTableMetadata } from 'iceberg-js';
import { untagBigIntsInPlace } from '../../common/lossless-json.js';
import type { CreateTableRequest, TableIdentifier } from './catalog.js';
import { formatTableIdentifier } from './catalog.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { currentSchema, defaultPartitionSpec } from '../spec/table-metadata.js';
import { tableMetadataFromJson } from '../spec/table-metadata-json.js';

export function tableMetadataFromRest(table: TableIdentifier, rest: RestTableMetadata): TableMetadata {
  const name = formatTableIdentifier(table);
  if (rest['format-version'] !== 2) {
    throw new Error(`table ${name} is Iceberg format v${rest['format-version']}; lakegraph writes v2 tables only`);
  }
  if (!rest.location) throw new Error(`REST catalog returned table ${name} without a location`);
  return tableMetadataFromJson(untagBigIntsInPlace(rest) as Record<string, unknown>);
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
