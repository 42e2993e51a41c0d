/** A table handle: its catalog, identity and the latest metadata this process has seen. */
import type { Catalog, CreateTableRequest, TableIdentifier } from '../catalog/catalog.js';
import type { FileIO } from '../io/file-io.js';
import type { TableMetadata } from '../spec/table-metadata.js';
import { AppendTransaction } from './append.js';
import { OverwriteTransaction } from './overwrite.js';
import { ReplaceTransaction } from './replace.js';
import { RewriteManifestsTransaction } from './rewrite-manifests.js';

export class Table {
  constructor(
    readonly catalog: Catalog,
    readonly id: TableIdentifier,
    /** Replaced by `refresh()` and by each successful commit. */
    public metadata: TableMetadata,
  ) {}

  static async load(catalog: Catalog, id: TableIdentifier): Promise<Table> {
    return new Table(catalog, id, await catalog.loadTable(id));
  }

  /** Creates the table unless it exists, then loads it. */
  static async ensure(catalog: Catalog, id: TableIdentifier, request: CreateTableRequest): Promise<Table> {
    return new Table(catalog, id, await catalog.createTable(id, request));
  }

  get io(): FileIO {
    return this.catalog.io;
  }

  async refresh(): Promise<TableMetadata> {
    this.metadata = await this.catalog.loadTable(this.id);
    return this.metadata;
  }

  newAppend(): AppendTransaction {
    return new AppendTransaction(this);
  }

  newReplace(): ReplaceTransaction {
    return new ReplaceTransaction(this);
  }

  newOverwrite(): OverwriteTransaction {
    return new OverwriteTransaction(this);
  }

  newRewriteManifests(entriesPerManifest?: number): RewriteManifestsTransaction {
    return new RewriteManifestsTransaction(this, entriesPerManifest);
  }
}
