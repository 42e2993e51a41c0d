/**
 * Catalog-side table metadata changes: creating a table's first metadata, checking a
 * commit's requirements and applying its updates — what a REST catalog server does,
 * for catalogs that keep metadata files themselves.
 */
import { randomUUID } from 'node:crypto';
import { lastPartitionIdOf, samePartitionFields, type PartitionSpec } from '../spec/partition-spec.js';
import type { Schema } from '../spec/schema.js';
import { MAIN_BRANCH, type SnapshotId } from '../spec/snapshot.js';
import { UNSORTED } from '../spec/sort-order.js';
import type { MetadataLogEntry, TableMetadata } from '../spec/table-metadata.js';
import type { CreateTableRequest, TableCommit } from './catalog.js';

export function newTableMetadata(location: string, request: CreateTableRequest, nowMs = Date.now()): TableMetadata {
  const sortOrder = request.sortOrder ?? UNSORTED;
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': nowMs,
    'last-column-id': request.schema.fields.reduce((max, f) => Math.max(max, f.id), 0),
    schemas: [request.schema],
    'current-schema-id': request.schema['schema-id'],
    'partition-specs': [request.partitionSpec],
    'default-spec-id': request.partitionSpec['spec-id'],
    'last-partition-id': lastPartitionIdOf(request.partitionSpec),
    properties: { ...request.properties },
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [sortOrder],
    'default-sort-order-id': sortOrder['order-id'],
    refs: {},
  };
}

/** Why `commit` cannot apply to `current`, or undefined when it can. */
export function commitConflict(current: TableMetadata, commit: TableCommit): string | undefined {
  for (const requirement of commit.requirements) {
    switch (requirement.type) {
      case 'assert-table-uuid':
        if (current['table-uuid'] !== requirement.uuid) {
          return `table uuid is ${current['table-uuid']}, expected ${requirement.uuid}`;
        }
        break;
      case 'assert-ref-snapshot-id': {
        const actual = current.refs[requirement.ref]?.['snapshot-id'] ?? null;
        if (actual !== requirement['snapshot-id']) {
          return `ref ${requirement.ref} is at snapshot ${actual}, expected ${requirement['snapshot-id']}`;
        }
        break;
      }
      case 'assert-default-spec-id':
        if (current['default-spec-id'] !== requirement['default-spec-id']) {
          return `default partition spec is ${current['default-spec-id']}, expected ${requirement['default-spec-id']}`;
        }
        break;
      case 'assert-last-assigned-partition-id':
        if (current['last-partition-id'] !== requirement['last-assigned-partition-id']) {
          return `last assigned partition id is ${current['last-partition-id']}, expected ${requirement['last-assigned-partition-id']}`;
        }
        break;
      case 'assert-current-schema-id':
        if (current['current-schema-id'] !== requirement['current-schema-id']) {
          return `current schema is ${current['current-schema-id']}, expected ${requirement['current-schema-id']}`;
        }
        break;
      case 'assert-last-assigned-field-id':
        if (current['last-column-id'] !== requirement['last-assigned-field-id']) {
          return `last assigned field id is ${current['last-column-id']}, expected ${requirement['last-assigned-field-id']}`;
        }
        break;
    }
  }
  for (const update of commit.updates) {
    if (update.action === 'add-snapshot' && update.snapshot['sequence-number'] <= current['last-sequence-number']) {
      return `snapshot sequence number ${update.snapshot['sequence-number']} is not above ${current['last-sequence-number']}`;
    }
  }
  return undefined;
}

/** `current` with the commit's updates applied; `previousFile` enters the metadata log. */
export function applyTableUpdates(
  current: TableMetadata,
  commit: TableCommit,
  previousFile: MetadataLogEntry,
  nowMs = Date.now(),
): TableMetadata {
  let next: TableMetadata = {
    ...current,
    'last-updated-ms': nowMs,
    'metadata-log': [...current['metadata-log'], previousFile],
  };
  let lastAddedSpecId: number | undefined;
  let lastAddedSchemaId: number | undefined;
  for (const update of commit.updates) {
    switch (update.action) {
      case 'add-spec':
        ({ metadata: next, specId: lastAddedSpecId } = addPartitionSpec(next, update.spec));
        break;
      case 'set-default-spec': {
        const specId = update['spec-id'] === -1 ? lastAddedSpecId : update['spec-id'];
        if (specId === undefined) throw new Error('set-default-spec -1 needs an add-spec before it in the same commit');
        if (!next['partition-specs'].some((s) => s['spec-id'] === specId)) throw new Error(`set-default-spec names unknown spec ${specId}`);
        next = { ...next, 'default-spec-id': specId };
        break;
      }
      case 'add-schema':
        ({ metadata: next, schemaId: lastAddedSchemaId } = addSchema(next, update.schema, update['last-column-id']));
        break;
      case 'set-current-schema': {
        const schemaId = update['schema-id'] === -1 ? lastAddedSchemaId : update['schema-id'];
        if (schemaId === undefined) throw new Error('set-current-schema -1 needs an add-schema before it in the same commit');
        if (!next.schemas.some((s) => s['schema-id'] === schemaId)) throw new Error(`set-current-schema names unknown schema ${schemaId}`);
        next = { ...next, 'current-schema-id': schemaId };
        break;
      }
      case 'add-snapshot':
        next = {
          ...next,
          snapshots: [...next.snapshots, update.snapshot],
          'last-sequence-number': update.snapshot['sequence-number'],
        };
        break;
      case 'set-snapshot-ref': {
        const snapshot = next.snapshots.find((s) => s['snapshot-id'] === update['snapshot-id']);
        if (!snapshot) throw new Error(`set-snapshot-ref names unknown snapshot ${update['snapshot-id']}`);
        next = { ...next, refs: { ...next.refs, [update['ref-name']]: { 'snapshot-id': update['snapshot-id'], type: update.type } } };
        if (update['ref-name'] === MAIN_BRANCH) {
          next = {
            ...next,
            'current-snapshot-id': update['snapshot-id'],
            'snapshot-log': [...next['snapshot-log'], { 'timestamp-ms': snapshot['timestamp-ms'], 'snapshot-id': update['snapshot-id'] }],
          };
        }
        break;
      }
      case 'set-properties':
        next = { ...next, properties: { ...next.properties, ...update.updates } };
        break;
      case 'remove-snapshots':
        next = removeSnapshots(next, new Set(update['snapshot-ids']));
        break;
    }
  }
  return next;
}

/** As the Java catalog does: an identical spec keeps its id, a new one gets the next; field ids are the caller's. */
function addPartitionSpec(metadata: TableMetadata, spec: PartitionSpec): { metadata: TableMetadata; specId: number } {
  const existing = metadata['partition-specs'].find((s) => samePartitionFields(s, spec));
  if (existing) return { metadata, specId: existing['spec-id'] };
  const specId = Math.max(...metadata['partition-specs'].map((s) => s['spec-id'])) + 1;
  return {
    metadata: {
      ...metadata,
      'partition-specs': [...metadata['partition-specs'], { ...spec, 'spec-id': specId }],
      'last-partition-id': Math.max(metadata['last-partition-id'], lastPartitionIdOf(spec)),
    },
    specId,
  };
}

/** A new schema gets the next id; field ids are the caller's, and `last-column-id` never goes down. */
function addSchema(metadata: TableMetadata, schema: Schema, lastColumnId: number): { metadata: TableMetadata; schemaId: number } {
  const schemaId = Math.max(...metadata.schemas.map((s) => s['schema-id'])) + 1;
  const highestId = schema.fields.reduce((max, f) => Math.max(max, f.id), 0);
  return {
    metadata: {
      ...metadata,
      schemas: [...metadata.schemas, { ...schema, 'schema-id': schemaId }],
      'last-column-id': Math.max(metadata['last-column-id'], lastColumnId, highestId),
    },
    schemaId,
  };
}

/** As the Java catalog does: a ref may not point at a removed snapshot, and the snapshot log forgets them. */
function removeSnapshots(metadata: TableMetadata, removed: ReadonlySet<SnapshotId>): TableMetadata {
  for (const [name, ref] of Object.entries(metadata.refs)) {
    if (removed.has(ref['snapshot-id'])) throw new Error(`cannot remove snapshot ${ref['snapshot-id']}: ref ${name} points at it`);
  }
  return {
    ...metadata,
    snapshots: metadata.snapshots.filter((s) => !removed.has(s['snapshot-id'])),
    'snapshot-log': metadata['snapshot-log'].filter((e) => !removed.has(e['snapshot-id'])),
  };
}
