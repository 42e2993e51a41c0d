/**
 * `lakegraph duckdb-init`: prints a DuckDB init script that opens the warehouse's committed
 * data in the DuckDB CLI as views `edges`, `nodes` and `rejected_events` — the names the
 * `sql/` library uses:
 *
 *   npx lakegraph duckdb-init > warehouse.sql && duckdb -init warehouse.sql
 *
 * `--via files` (default) lists the current snapshot's data files, planned by lakegraph,
 * and needs no extension; it also gives views `snapshots` and `data_files` (lake-views.ts). `--via iceberg` uses DuckDB's iceberg extension (`iceberg_scan`
 * of each table directory; filesystem catalog only), optionally loaded offline from an
 * extension directory.
 */
import { resolve } from 'node:path';
import { NAMESPACE, TABLE_NAMES, TABLE_SCHEMAS } from '../lake/tables.js';
import { dataFilesSelect, snapshotsSelect } from '../query/lake-views.js';
import { loadSnapshotTier } from '../query/snapshot-tier.js';
import { snapshotSelect, sqlIdentifier, sqlString } from '../query/snapshot-views.js';
import { UsageError } from './args.js';
import { AS_OF_FLAG, asOfMsFromFlags, asUsageError } from './as-of-flag.js';
import { WAREHOUSE_FLAGS, existingWarehouseFromFlags } from './catalog-flags.js';
import type { Command } from './command.js';

export const duckdbInitCommand: Command = {
  name: 'duckdb-init',
  summary: 'Print a DuckDB CLI init script with views `edges`, `nodes`, `rejected_events` over the committed snapshot.',
  usage: 'lakegraph duckdb-init [--via files|iceberg] [--extension-dir DIR] [--as-of SNAPSHOT_ID|T] [--warehouse DIR | --catalog-uri URL]',
  flags: [
    { name: 'via', kind: 'string', placeholder: 'files|iceberg', default: 'files', help: 'read the snapshot through its planned data files, or through iceberg_scan' },
    { name: 'extension-dir', kind: 'string', placeholder: 'DIR', help: '--via iceberg: load the iceberg extension from this directory, never from the network' },
    AS_OF_FLAG,
    ...WAREHOUSE_FLAGS,
  ],
  async run(flags) {
    const via = flags['via'] as string;
    if (via !== 'files' && via !== 'iceberg') throw new UsageError(`--via: "${via}" is neither files nor iceberg`);
    if (via === 'iceberg' && flags['catalog-uri'] !== undefined) throw new UsageError('--via iceberg reads a filesystem warehouse; use --via files with a REST catalog');
    if (via === 'iceberg' && flags['as-of'] !== undefined) throw new UsageError('--as-of works with --via files');
    const catalog = await existingWarehouseFromFlags(flags);
    const asOfMs = await asOfMsFromFlags(flags, catalog);
    const lines = ['-- lakegraph duckdb-init: views over the committed graph tables', "SET TimeZone = 'UTC';"];
    if (asOfMs !== undefined) lines.push(`-- as of ${new Date(asOfMs).toISOString()}`);
    if (via === 'files') {
      const tier = await asUsageError(flags['as-of'] as string | undefined, () => loadSnapshotTier(catalog, undefined, asOfMs));
      for (const name of TABLE_NAMES) {
        const files = tier[name].files.map((f) => f.filePath);
        lines.push(`-- ${NAMESPACE}.${name}: snapshot ${tier[name].snapshotId ?? 'none'}, ${files.length} data files`);
        lines.push(`CREATE OR REPLACE VIEW ${sqlIdentifier(name)} AS ${snapshotSelect(TABLE_SCHEMAS[name], files)};`);
      }
      lines.push('-- the tables\' commits and current data files, for sql/snapshot_log.sql and its kin');
      lines.push(`CREATE OR REPLACE VIEW snapshots AS ${snapshotsSelect(tier, TABLE_NAMES)};`);
      lines.push(`CREATE OR REPLACE VIEW data_files AS ${dataFilesSelect(tier, TABLE_NAMES)};`);
    } else {
      const extensionDir = flags['extension-dir'] as string | undefined;
      if (extensionDir !== undefined) {
        lines.push('SET autoinstall_known_extensions = false;', 'SET autoload_known_extensions = false;', `SET extension_directory = ${sqlString(resolve(extensionDir))};`);
      }
      lines.push('LOAD iceberg;');
      const warehouse = resolve(flags['warehouse'] as string);
      for (const name of TABLE_NAMES) {
        lines.push(`CREATE OR REPLACE VIEW ${sqlIdentifier(name)} AS SELECT * FROM iceberg_scan(${sqlString(`${warehouse}/${NAMESPACE}/${name}`)});`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
