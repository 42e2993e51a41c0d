/**
 * Adds an account to the tombstone list (lake/forgotten-accounts.ts), creating the table on
 * first use. Adding an account already listed changes nothing, so a forget run again after
 * a crash reuses the version it recorded.
 */
import type { Catalog } from '../../lake/catalog/catalog.js';
import { FORGOTTEN_PARTITION_SPEC, FORGOTTEN_SCHEMA, forgottenTableId, readForgottenAccounts, type ForgottenAccounts } from '../../lake/forgotten-accounts.js';
import { UNSORTED } from '../../lake/spec/sort-order.js';
import { Table } from '../../lake/table/table.js';
import { writeDataFiles } from '../../lake/table/write-data-files.js';
import { arrowSchemaOf } from '../../lake/tables.js';
import { tableOf, timestamptzColumn, utf8FromStrings } from '../../stream/batch/columns.js';

export async function addToForgotten(catalog: Catalog, namespace: readonly string[], account: string): Promise<ForgottenAccounts> {
  const listed = await readForgottenAccounts(catalog, namespace);
  if (listed.accounts.has(account)) return listed;
  const table = await Table.ensure(catalog, forgottenTableId(namespace), { schema: FORGOTTEN_SCHEMA, partitionSpec: FORGOTTEN_PARTITION_SPEC, sortOrder: UNSORTED });
  const row = tableOf(arrowSchemaOf(FORGOTTEN_SCHEMA), 1, [utf8FromStrings([account]), timestamptzColumn([Date.now()], 1)]);
  await table.newAppend().addFiles(await writeDataFiles(table, row)).commit();
  // Read back rather than assumed: a forget of another account may have committed meanwhile.
  return readForgottenAccounts(catalog, namespace);
}
