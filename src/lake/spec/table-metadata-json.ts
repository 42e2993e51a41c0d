/**
 * Table metadata as parsed from JSON written by any engine (a metadata file, a REST
 * response) into lakegraph's TableMetadata: every snapshot id becomes a bigint, whatever
 * number type the parser gave it, so ids compare and key maps by value. Parse the text
 * with common/lossless-json.ts, which keeps ids beyond 2^53−1 exact; a plain JSON.parse
 * has rounded them already. Fields lakegraph does not model pass through as they are.
 */
import { parseJson } from '../../common/lossless-json.js';
import { MAIN_BRANCH, type Snapshot, type SnapshotId, type SnapshotRef } from './snapshot.js';
import type { SnapshotLogEntry, TableMetadata } from './table-metadata.js';

type JsonObject = Record<string, unknown>;

function snapshotIdOf(value: unknown, field: string): SnapshotId {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new Error(`table metadata ${field} is ${String(value)}, not an exact 64-bit snapshot id`);
}

function optionalSnapshotIdOf(value: unknown, field: string): SnapshotId | undefined {
  return value === undefined || value === null ? undefined : snapshotIdOf(value, field);
}

function snapshotOf(json: JsonObject): Snapshot {
  const parent = optionalSnapshotIdOf(json['parent-snapshot-id'], 'parent-snapshot-id');
  const { 'parent-snapshot-id': _, ...rest } = json;
  return {
    ...(rest as unknown as Snapshot),
    'snapshot-id': snapshotIdOf(json['snapshot-id'], 'snapshot-id'),
    ...(parent === undefined ? {} : { 'parent-snapshot-id': parent }),
  };
}

function withIdOf<T extends { 'snapshot-id': SnapshotId }>(json: JsonObject, field: string): T {
  return { ...(json as unknown as T), 'snapshot-id': snapshotIdOf(json['snapshot-id'], field) };
}

/** A metadata file's bytes, parsed losslessly: other engines' 64-bit snapshot ids would be rounded by JSON.parse. */
export function parseTableMetadataFile(bytes: Uint8Array): TableMetadata {
  return tableMetadataFromJson(parseJson(new TextDecoder().decode(bytes)) as JsonObject);
}

/** `json` must be a v2 table metadata object; the defaults cover what loose writers leave out. */
export function tableMetadataFromJson(json: JsonObject): TableMetadata {
  const raw = json['current-snapshot-id'];
  // Java writes -1 for "no current snapshot".
  const currentId = raw === -1 || raw === -1n ? undefined : optionalSnapshotIdOf(raw, 'current-snapshot-id');
  const refsJson = json['refs'] as Record<string, JsonObject> | undefined;
  // Metadata written before refs existed (spec v1 era) only carries current-snapshot-id; main is that snapshot.
  const refs: Record<string, SnapshotRef> = refsJson
    ? Object.fromEntries(Object.entries(refsJson).map(([name, ref]) => [name, withIdOf<SnapshotRef>(ref, `refs.${name}.snapshot-id`)]))
    : currentId === undefined
      ? {}
      : { [MAIN_BRANCH]: { 'snapshot-id': currentId, type: 'branch' } };
  const { 'current-snapshot-id': _, ...rest } = json;
  return {
    ...(rest as unknown as TableMetadata),
    ...(currentId === undefined ? {} : { 'current-snapshot-id': currentId }),
    'last-sequence-number': (json['last-sequence-number'] as number | undefined) ?? 0,
    snapshots: ((json['snapshots'] as JsonObject[] | undefined) ?? []).map(snapshotOf),
    'snapshot-log': ((json['snapshot-log'] as JsonObject[] | undefined) ?? []).map((e) => withIdOf<SnapshotLogEntry>(e, 'snapshot-log.snapshot-id')),
    'metadata-log': (json['metadata-log'] as TableMetadata['metadata-log'] | undefined) ?? [],
    refs,
  };
}
