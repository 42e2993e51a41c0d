/** The flags that say where the warehouse is, shared by every command that reads or writes tables. */
import type { FlagSpec, FlagValues } from './args.js';
import { UsageError } from './args.js';
import type { Catalog } from '../lake/catalog/catalog.js';
import { FilesystemCatalog } from '../lake/catalog/filesystem-catalog.js';
import { RestCatalog } from '../lake/catalog/rest-catalog.js';

export const DEFAULT_WAREHOUSE = '.lakegraph/demo-warehouse';

export const WAREHOUSE_FLAGS: readonly FlagSpec[] = [
  { name: 'warehouse', kind: 'string', placeholder: 'DIR', env: 'LAKEGRAPH_WAREHOUSE', help: 'filesystem catalog directory', default: DEFAULT_WAREHOUSE, excludes: ['catalog-uri'] },
  { name: 'catalog-uri', kind: 'string', placeholder: 'URL', env: 'LAKEGRAPH_CATALOG_URI', help: 'Iceberg REST catalog instead of the filesystem one, e.g. http://127.0.0.1:8181', excludes: ['warehouse'] },
];

export function catalogFromFlags(flags: FlagValues): Catalog {
  const uri = flags['catalog-uri'] as string | undefined;
  if (uri !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new UsageError(`--catalog-uri: "${uri}" is not a URL; use e.g. http://127.0.0.1:8181`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--catalog-uri: "${uri}" must be http:// or https://`);
    return new RestCatalog({ uri: uri.replace(/\/+$/, '') });
  }
  return new FilesystemCatalog(flags['warehouse'] as string);
}
