/**
 * `lakegraph duckdb-init`: prints a DuckDB init script that opens the warehouse's committed
 * data in the DuckDB CLI as views `edges`, `nodes` and `rejected_events` — the names the
 * `sql/` library uses:
 *
 *   npx lakegraph duckdb-init > warehouse.sql && duckdb -init warehouse.sql
 *
 * `--via files` (default) lists the current snapshot's data files, planned by lakegraph;
 * it also gives views `snapshots` and `data_files` (lake-views.ts). `--via iceberg` uses
 * DuckDB's iceberg extension (`iceberg_scan` of each table; filesystem catalog only). A
 * lake in S3 adds httpfs and a secret (duckdb-s3-secret.ts). `--extension-dir` loads the
 * extensions offline.
 */
import { resolve } from 'node:path';
import type { Catalog } from '../lake/catalog/catalog.js';
import type { FilesystemCatalog } from '../lake/catalog/filesystem-catalog.js';
import { RoutingFileIO } from '../lake/io/routing-file-io.js';
import { resolveS3Config } from '../lake/io/s3-config.js';
import { isS3Location } from '../lake/io/s3-location.js';
import { currentSchema } from '../lake/spec/table-metadata.js';
import { NAMESPACE, TABLE_NAMES, TABLE_SCHEMAS } from '../lake/tables.js';
import { credentialsFromEnvironment, duckdbS3Setup } from '../query/duckdb-s3-secret.js';
import { dataFilesSelect, snapshotsSelect } from '../query/lake-views.js';
import { loadPastSnapshotTier, loadSnapshotTier } from '../query/snapshot-tier.js';
import { snapshotSelect, sqlIdentifier, sqlString } from '../query/snapshot-views.js';
import { UsageError } from './args.js';
import { AS_OF_FLAG, asOfFromFlags, asUsageError } from './as-of-flag.js';
import { WAREHOUSE_FLAGS, existingWarehouseFromFlags } from './catalog-flags.js';
import type { Command } from './command.js';

export const duckdbInitCommand: Command = {
  name: 'duckdb-init',
  summary: 'Print a DuckDB CLI init script with views `edges`, `nodes`, `rejected_events` over the committed snapshot.',
  usage: 'lakegraph duckdb-init [--via files|iceberg] [--extension-dir DIR] [--include-credentials] [--as-of SNAPSHOT_ID|T] [--warehouse DIR|s3://B/P | --catalog-uri URL]',
  flags: [
    { name: 'via', kind: 'string', placeholder: 'files|iceberg', default: 'files', help: 'read the snapshot through its planned data files, or through iceberg_scan' },
    { name: 'extension-dir', kind: 'string', placeholder: 'DIR', help: 'load the extensions the script needs (iceberg, httpfs) from this directory, never from the network' },
    { name: 'include-credentials', kind: 'boolean', help: 'S3 lake: write the access keys into the script instead of reading AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when it runs' },
    AS_OF_FLAG,
    ...WAREHOUSE_FLAGS,
  ],
  async run(flags) {
    const via = flags['via'] as string;
    if (via !== 'files' && via !== 'iceberg') throw new UsageError(`--via: "${via}" is neither files nor iceberg`);
    if (via === 'iceberg' && flags['catalog-uri'] !== undefined) throw new UsageError('--via iceberg reads a filesystem warehouse; use --via files with a REST catalog');
    if (via === 'iceberg' && flags['as-of'] !== undefined) throw new UsageError('--as-of works with --via files');
    const catalog = await existingWarehouseFromFlags(flags);
    const asOf = asOfFromFlags(flags);
    const extensions: string[] = [];
    const views: string[] = [];
    let locations: string[];
    if (via === 'files') {
      const { tier, asOfMs } = asOf === undefined ? { tier: await loadSnapshotTier(catalog), asOfMs: undefined } : await asUsageError(flags['as-of'] as string | undefined, () => loadPastSnapshotTier(catalog, asOf));
      locations = TABLE_NAMES.flatMap((name) => tier[name].files.map((f) => f.filePath));
      if (asOfMs !== undefined) views.push(`-- as of ${new Date(asOfMs).toISOString()}`);
      for (const name of TABLE_NAMES) {
        const files = tier[name].files.map((f) => f.filePath);
        views.push(`-- ${NAMESPACE}.${name}: snapshot ${tier[name].snapshotId ?? 'none'}, ${files.length} data files`);
        views.push(`CREATE OR REPLACE VIEW ${sqlIdentifier(name)} AS ${snapshotSelect(TABLE_SCHEMAS[name], files, currentSchema(tier[name].metadata))};`);
      }
      views.push('-- the tables\' commits and current data files, for sql/snapshot_log.sql and its kin');
      views.push(`CREATE OR REPLACE VIEW snapshots AS ${snapshotsSelect(tier, TABLE_NAMES)};`);
      views.push(`CREATE OR REPLACE VIEW data_files AS ${dataFilesSelect(tier, TABLE_NAMES)};`);
    } else {
      const warehouse = catalog as FilesystemCatalog;
      locations = TABLE_NAMES.map((name) => warehouse.tableLocation({ namespace: [NAMESPACE], name }));
      extensions.push('LOAD iceberg;');
      for (const [i, name] of TABLE_NAMES.entries()) {
        views.push(`CREATE OR REPLACE VIEW ${sqlIdentifier(name)} AS SELECT * FROM iceberg_scan(${sqlString(locations[i]!)});`);
      }
    }
    if (locations.some(isS3Location)) extensions.push(...s3Setup(catalog, flags['include-credentials'] === true));
    const extensionDir = flags['extension-dir'] as string | undefined;
    const offline =
      extensionDir !== undefined && extensions.length > 0
        ? ['SET autoinstall_known_extensions = false;', 'SET autoload_known_extensions = false;', `SET extension_directory = ${sqlString(resolve(extensionDir))};`]
        : [];
    const lines = ['-- lakegraph duckdb-init: views over the committed graph tables', "SET TimeZone = 'UTC';", ...offline, ...extensions, ...views];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

/** httpfs and a secret for the store, set up as the catalog's FileIO reaches it (the catalog's properties, then the AWS chain). */
function s3Setup(catalog: Catalog, includeCredentials: boolean): string[] {
  const config = resolveS3Config(catalog.io instanceof RoutingFileIO ? catalog.io.properties : {});
  if (!includeCredentials && !credentialsFromEnvironment(config)) {
    process.stderr.write(
      'lakegraph duckdb-init: the S3 keys in use do not come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, which the script reads when it runs; set those for the DuckDB CLI, or pass --include-credentials to write the keys into the script\n',
    );
  }
  return duckdbS3Setup(config, { includeCredentials });
}
