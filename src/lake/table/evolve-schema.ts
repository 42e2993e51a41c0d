/**
 * Schema evolution by addition: brings a table made by an older lakegraph (or changed by
 * another engine) up to the schema this one writes, by adding the optional columns it
 * lacks. Each new column gets a fresh field id above the table's `last-column-id`, so an
 * id is never reused; data files written before have no such column, and every Iceberg
 * reader (ours, DuckDB, PyIceberg, Spark) reads it as null there. Columns are matched by
 * name; the table keeps columns it has beyond the wanted ones.
 *
 * The commit asserts the current schema id and the last assigned field id, as Iceberg's
 * own schema updates do. Writers racing to add the same column both succeed: one commits,
 * the other conflicts, reloads and finds the column there.
 */
import { commitMetadataChange } from './commit-metadata-change.js';
import { COMMIT_CONFLICT_RETRIES } from './snapshot-transaction.js';
import { withRetries, type RetryOptions } from '../../common/backoff.js';
import { formatTableIdentifier } from '../catalog/catalog.js';
import { fieldByName, type NestedField, type Schema } from '../spec/schema.js';
import { currentSchema } from '../spec/table-metadata.js';
import type { Table } from './table.js';

/** The wanted columns `schema` lacks; throws on one it has with another type. */
export function missingColumns(schema: Schema, wanted: Schema): NestedField[] {
  return wanted.fields.filter((field) => {
    const found = schema.fields.find((f) => f.name === field.name);
    if (found !== undefined && found.type !== field.type) {
      throw new Error(`column ${field.name} is ${found.type} in the table, lakegraph writes ${field.type}`);
    }
    return found === undefined;
  });
}

/**
 * Adds to `table` the columns of `wanted` it lacks (all must be optional: old rows have
 * no value). Returns the field ids it assigned, none when the table had every column.
 */
export async function evolveSchema(table: Table, wanted: Schema, retry: RetryOptions = COMMIT_CONFLICT_RETRIES): Promise<number[]> {
  return withRetries(async (attempt) => {
    const base = attempt === 1 ? table.metadata : await table.refresh();
    const schema = currentSchema(base);
    const added = missingColumns(schema, wanted);
    if (added.length === 0) return [];
    const required = added.find((f) => f.required);
    if (required !== undefined) {
      throw new Error(`table ${formatTableIdentifier(table.id)} has no column ${required.name}, and a required column cannot be added to existing rows`);
    }
    const lastColumnId = base['last-column-id'];
    const fields = added.map((field, i) => ({ ...field, id: lastColumnId + 1 + i }));
    const evolved: Schema = {
      type: 'struct',
      'schema-id': Math.max(...base.schemas.map((s) => s['schema-id'])) + 1,
      fields: [...schema.fields, ...fields],
    };
    table.metadata = await commitMetadataChange(
      table,
      {
        requirements: [
          { type: 'assert-table-uuid', uuid: base['table-uuid'] },
          { type: 'assert-current-schema-id', 'current-schema-id': base['current-schema-id'] },
          { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': lastColumnId },
        ],
        updates: [
          { action: 'add-schema', schema: evolved, 'last-column-id': lastColumnId + fields.length },
          { action: 'set-current-schema', 'schema-id': -1 },
        ],
      },
      // A lost answer: the commit landed if the columns are there now.
      (current) => missingColumns(currentSchema(current), wanted).length === 0,
    );
    const now = currentSchema(table.metadata);
    return added.map((field) => fieldByName(now, field.name).id);
  }, retry);
}
