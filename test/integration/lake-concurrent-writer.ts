/**
 * Child process of lake-concurrency.test: appends `commits` small batches to graph.edges,
 * each counting itself in a carried property, then exits.
 * usage: node lake-concurrent-writer.js <warehouse: a directory or s3://…> <writer id> <commits>
 */
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { fileIOFor } from '../../src/lake/io/file-io-for.js';
import { Table } from '../../src/lake/table/table.js';
import { writeDataFiles } from '../../src/lake/table/write-data-files.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { concurrentBatch, writerCommitsKey } from './lake-concurrent-batches.js';

const [warehouse, writerArg, commitsArg] = process.argv.slice(2);
const writer = Number(writerArg);
const table = await Table.ensure(new FilesystemCatalog(warehouse, fileIOFor(warehouse)), { namespace: ['graph'], name: 'edges' }, {
  schema: EDGES_SCHEMA,
  partitionSpec: EDGES_PARTITION_SPEC,
});
const key = writerCommitsKey(writer);
for (let commit = 0; commit < Number(commitsArg); commit++) {
  const files = await writeDataFiles(table, concurrentBatch(writer, commit));
  await table.newAppend()
    .addFiles(files)
    .setProperties((parent) => ({ [key]: String(Number(parent?.[key] ?? 0) + 1) }))
    .commit();
}
