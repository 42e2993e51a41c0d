/** The flags that say where the warehouse is, shared by every command that reads or writes tables. */
import type { FlagSpec, FlagValues } from './args.js';
import { UsageError } from './args.js';
import { NoSuchTableError, type Catalog } from '../lake/catalog/catalog.js';
import { FilesystemCatalog } from '../lake/catalog/filesystem-catalog.js';
import type { RestCatalogAuth } from '../lake/catalog/rest-auth.js';
import { RestCatalog } from '../lake/catalog/rest-catalog.js';
import { fileIOFor } from '../lake/io/file-io-for.js';
import { isLocalLocation } from '../lake/io/location.js';
import { supportsConditionalCreate } from '../lake/io/supports-conditional-create.js';
import { NAMESPACE } from '../lake/tables.js';

export const DEFAULT_WAREHOUSE = '.lakegraph/demo-warehouse';

export const WAREHOUSE_FLAGS: readonly FlagSpec[] = [
  { name: 'warehouse', kind: 'string', placeholder: 'DIR|s3://B/P', env: 'LAKEGRAPH_WAREHOUSE', help: 'filesystem-layout catalog: a directory, or object storage with conditional PUTs', default: DEFAULT_WAREHOUSE, excludes: ['catalog-uri'] },
  { name: 'catalog-uri', kind: 'string', placeholder: 'URL', env: 'LAKEGRAPH_CATALOG_URI', help: 'Iceberg REST catalog instead of the filesystem one, e.g. http://127.0.0.1:8181', excludes: ['warehouse'] },
  // Secrets are best given through the environment: command lines show in `ps` and in pod specs.
  { name: 'catalog-token', kind: 'string', placeholder: 'T', env: 'LAKEGRAPH_CATALOG_TOKEN', help: 'bearer token for the REST catalog', excludes: ['catalog-credential'] },
  {
    name: 'catalog-credential', kind: 'string', placeholder: 'ID:SECRET', env: 'LAKEGRAPH_CATALOG_CREDENTIAL', excludes: ['catalog-token'],
    help: "OAuth2 client credentials for the REST catalog, exchanged at its /v1/oauth/tokens for a token renewed before it expires",
  },
  { name: 'catalog-scope', kind: 'string', placeholder: 'S', env: 'LAKEGRAPH_CATALOG_SCOPE', default: 'catalog', help: 'the OAuth2 scope asked for with --catalog-credential' },
  { name: 'catalog-wait', kind: 'duration', placeholder: 'D', env: 'LAKEGRAPH_CATALOG_WAIT', default: '5m', help: 'how long to keep retrying while the REST catalog is unreachable, then fail' },
];

/** Says once per outage, and every 30 s of it, that the catalog is being waited for. */
function unavailableNotice(waitMs: number): (error: Error, attempt: number) => void {
  let lastSaidAt = 0;
  return (error, attempt) => {
    if (attempt > 1 && Date.now() - lastSaidAt < 30_000) return;
    lastSaidAt = Date.now();
    process.stderr.write(`lakegraph: ${error.message.split('. ')[0]}; retrying for up to ${Math.round(waitMs / 1000)} s (--catalog-wait)\n`);
  };
}

function restAuthFromFlags(flags: FlagValues): RestCatalogAuth | undefined {
  const token = flags['catalog-token'] as string | undefined;
  const credential = flags['catalog-credential'] as string | undefined;
  // Both from the environment: the command line settled nothing.
  if (token !== undefined && credential !== undefined) throw new UsageError('give --catalog-token or --catalog-credential (LAKEGRAPH_CATALOG_TOKEN or LAKEGRAPH_CATALOG_CREDENTIAL), not both');
  if (token !== undefined) return { type: 'bearer', token };
  if (credential === undefined) return undefined;
  const colon = credential.indexOf(':');
  if (colon < 1 || colon === credential.length - 1) throw new UsageError('--catalog-credential: expected CLIENT_ID:SECRET');
  return { type: 'client-credentials', clientId: credential.slice(0, colon), clientSecret: credential.slice(colon + 1), scope: flags['catalog-scope'] as string };
}

export async function catalogFromFlags(flags: FlagValues): Promise<Catalog> {
  const uri = flags['catalog-uri'] as string | undefined;
  if (uri !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new UsageError(`--catalog-uri: "${uri}" is not a URL; use e.g. http://127.0.0.1:8181`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--catalog-uri: "${uri}" must be http:// or https://`);
    const waitMs = flags['catalog-wait'] as number;
    return new RestCatalog({ uri: uri.replace(/\/+$/, ''), auth: restAuthFromFlags(flags), unavailableWaitMs: waitMs, onUnavailable: unavailableNotice(waitMs) });
  }
  return filesystemCatalogAt(flags['warehouse'] as string);
}

/**
 * The filesystem-layout catalog at `warehouse`: a directory, or an object-store prefix
 * whose store refuses a second create of one key (a usage error otherwise).
 */
export async function filesystemCatalogAt(warehouse: string): Promise<FilesystemCatalog> {
  if (isLocalLocation(warehouse)) return new FilesystemCatalog(warehouse);
  let io;
  try {
    io = fileIOFor(warehouse);
  } catch (error) {
    throw new UsageError(`--warehouse: ${(error as Error).message}`);
  }
  // Object stores have no rename: the layout's commit is a create-if-absent of the next
  // metadata version, safe only where the store refuses a second create (docs/CONTRACTS.md §6).
  if (!(await supportsConditionalCreate(io, `${warehouse.replace(/\/+$/, '')}/`))) {
    throw new UsageError(
      `--warehouse ${warehouse}: this object store ignores conditional PUTs (If-None-Match: *), so concurrent commits could overwrite each other; use a REST catalog (--catalog-uri) for this store`,
    );
  }
  return new FilesystemCatalog(warehouse, io);
}

/** Writers create `graph.edges` first, so a catalog without it holds no lakegraph tables at all. */
const FIRST_TABLE = { namespace: [NAMESPACE], name: 'edges' };

/**
 * The catalog of the flags, for a command that reads tables a writer made: pointing one at
 * a place with none is a configuration mistake (exit 2), told with where it looked and how
 * to make a warehouse there.
 */
export async function existingWarehouseFromFlags(flags: FlagValues): Promise<Catalog> {
  const catalog = await catalogFromFlags(flags);
  try {
    await catalog.loadTable(FIRST_TABLE);
  } catch (error) {
    if (!(error instanceof NoSuchTableError)) throw error;
    if (catalog instanceof FilesystemCatalog) {
      const at = catalog.warehouse;
      throw new UsageError(
        `no lakegraph warehouse at ${at} (no ${NAMESPACE}/edges table there); make one with \`lakegraph demo --warehouse ${at}\` (generated events) ` +
          `or \`lakegraph ingest --topic T --warehouse ${at}\` (from Kafka), or point --warehouse or LAKEGRAPH_WAREHOUSE at an existing one`,
      );
    }
    const uri = flags['catalog-uri'] as string;
    throw new UsageError(`the REST catalog at ${uri} has no ${NAMESPACE}.edges table; make the tables with \`lakegraph ingest --topic T --catalog-uri ${uri}\``);
  }
  return catalog;
}
