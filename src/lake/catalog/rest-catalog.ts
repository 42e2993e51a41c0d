/**
 * A Catalog backed by an Iceberg REST catalog server, spoken to through iceberg-js.
 * The server owns table metadata and swaps it atomically on commit, checking the
 * commit's requirements (`assert-table-uuid`, `assert-ref-snapshot-id`) against the
 * current metadata and answering 409 when one fails. Data and manifest files are
 * written by lakegraph under the location the server assigned to the table — object
 * storage or a local directory — through the FileIO of that location's scheme, configured
 * with the FileIO properties the server returns (its config, then the table's). Snapshot
 * ids of any 64-bit size cross the API exactly, both ways (int64-json-fetch.ts).
 */
import type { CommitTableRequest, CreateTableRequest as RestCreateTableRequest, TableIdentifier as RestTableIdentifier } from 'iceberg-js';
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import type { Catalog, CreateTableRequest, TableCommit, TableIdentifier } from './catalog.js';
import { CommitConflictError, formatTableIdentifier, NoSuchTableError } from './catalog.js';
import type { FileIO } from '../io/file-io.js';
import { withRetries } from '../../common/backoff.js';
import { errorMessage } from '../../common/error-message.js';
import { withTaggedBigInts } from '../../common/lossless-json.js';
import { int64JsonFetch } from './int64-json-fetch.js';
import { recallExpiredAncestry } from './recall-expired-ancestry.js';
import { icebergAuth, type RestCatalogAuth } from './rest-auth.js';
import { RoutingFileIO } from '../io/routing-file-io.js';
import {
  CatalogUnreachableError,
  CommitStateUnknownError,
  hasStatus,
  isConnectionRefused,
  isNetworkFailure,
  isServerFailure,
  serverMessage,
} from './rest-errors.js';
import { assertCreatedAsRequested, tableMetadataFromRest } from './rest-metadata.js';
import type { TableMetadata } from '../spec/table-metadata.js';

export interface RestCatalogOptions {
  /** Base URI of the catalog server, e.g. `http://127.0.0.1:8181` (the API lives under `/v1`). */
  readonly uri: string;
  /** Sent as `?warehouse=` to `/v1/config`; the server may answer with a path prefix to use. */
  readonly warehouse?: string;
  /** Credentials the server asks for; none by default. */
  readonly auth?: RestCatalogAuth;
  /** Defaults to the FileIO of each location's scheme. */
  readonly io?: FileIO;
  /**
   * How long a call keeps retrying while the server is unreachable (a restart, a network
   * blip) before it fails with CatalogUnreachableError. Default 5 minutes.
   */
  readonly unavailableWaitMs?: number;
  /** Told of each retry while the server is unreachable. */
  readonly onUnavailable?: (error: Error, attempt: number, delayMs: number) => void;
}

export const DEFAULT_UNAVAILABLE_WAIT_MS = 5 * 60_000;
const UNAVAILABLE_BACKOFF = { baseMs: 250, maxMs: 5_000 };

export class RestCatalog implements Catalog {
  readonly uri: string;
  readonly io: FileIO;
  private readonly client: IcebergRestCatalog;
  /** One creation request per namespace and process; a failed one is forgotten so it is tried again. */
  private readonly ensuredNamespaces = new Map<string, Promise<void>>();
  private catalogConfig: Promise<{ readonly defaults: Record<string, string>; readonly overrides: Record<string, string> }> | undefined;

  constructor(private readonly options: RestCatalogOptions) {
    this.uri = options.uri;
    this.io = options.io ?? new RoutingFileIO();
    this.client = new IcebergRestCatalog({ baseUrl: options.uri, warehouse: options.warehouse, fetch: int64JsonFetch(), auth: icebergAuth(options.uri, options.auth) });
  }

  async loadTable(id: TableIdentifier): Promise<TableMetadata> {
    try {
      const result = await this.whileUnavailable('read', () => this.client.loadTableResult(restId(id)));
      if (!result) throw new NoSuchTableError(id);
      await this.configureIO(result.config);
      // A commit's answer needs no recall: its current snapshot is lakegraph's own, or one loaded here before.
      return await recallExpiredAncestry(this.io, tableMetadataFromRest(id, result.metadata));
    } catch (error) {
      if (error instanceof NoSuchTableError) throw error;
      if (hasStatus(error, 404)) throw new NoSuchTableError(id);
      throw this.explain(error, `load ${formatTableIdentifier(id)}`);
    }
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<TableMetadata> {
    await this.ensureNamespace(id.namespace);
    let created;
    try {
      created = await this.whileUnavailable('write', () => this.client.createTable({ namespace: [...id.namespace] }, restCreateRequest(id, request)));
    } catch (error) {
      // AlreadyExistsException: another process (or an earlier run) created it; its schema wins.
      if (hasStatus(error, 409)) return this.loadTable(id);
      // The racing create's loser may get a 500 instead (as with namespaces above).
      if (isServerFailure(error)) {
        const existing = await this.loadTable(id).catch(() => undefined);
        if (existing) return existing;
      }
      throw this.explain(error, `create ${formatTableIdentifier(id)}`);
    }
    const metadata = tableMetadataFromRest(id, created);
    assertCreatedAsRequested(id, request, metadata);
    return metadata;
  }

  async commitTable(id: TableIdentifier, commit: TableCommit): Promise<TableMetadata> {
    try {
      const response = await this.whileUnavailable('write', () =>
        // Snapshot ids are bigints; int64JsonFetch writes their tags back as JSON integers.
        this.client.commitTable(restId(id), withTaggedBigInts(commit) as CommitTableRequest),
      );
      return tableMetadataFromRest(id, response.metadata);
    } catch (error) {
      // CommitFailedException: a requirement no longer holds and the server changed nothing.
      if (hasStatus(error, 409)) throw new CommitConflictError(id, serverMessage(error));
      if (isServerFailure(error) || (isNetworkFailure(error) && !isConnectionRefused(error))) {
        return this.resolveUnknownCommit(id, commit, error);
      }
      if (hasStatus(error, 404)) throw new NoSuchTableError(id);
      throw this.explain(error, `commit to ${formatTableIdentifier(id)}`);
    }
  }

  /** The server's FileIO properties: config defaults, then the table's, then config overrides. */
  private async configureIO(tableConfig: Record<string, string> | undefined): Promise<void> {
    if (!(this.io instanceof RoutingFileIO)) return;
    // The catalog's config does not change under a running process: asked once.
    this.catalogConfig ??= this.whileUnavailable('read', () => this.client.loadConfig()).catch((error: unknown) => {
      this.catalogConfig = undefined;
      throw error;
    });
    const { defaults, overrides } = await this.catalogConfig;
    this.io.configure({ ...defaults, ...tableConfig, ...overrides });
  }

  /**
   * Jobs starting together race to create the namespace; a JDBC-backed server can answer
   * the loser with a 500 (a duplicate key) although the namespace now exists.
   */
  private async createNamespace(namespace: readonly string[]): Promise<void> {
    try {
      await this.client.createNamespaceIfNotExists({ namespace: [...namespace] });
    } catch (error) {
      if (isServerFailure(error) && (await this.client.namespaceExists({ namespace: [...namespace] }))) return;
      throw error;
    }
  }

  private ensureNamespace(namespace: readonly string[]): Promise<void> {
    const key = namespace.join('\u001f');
    let ensured = this.ensuredNamespaces.get(key);
    if (!ensured) {
      ensured = this.whileUnavailable('write', () => this.createNamespace(namespace)).then(
        () => undefined,
        (error: unknown) => {
          this.ensuredNamespaces.delete(key);
          throw this.explain(error, `create namespace ${namespace.join('.')}`);
        },
      );
      this.ensuredNamespaces.set(key, ensured);
    }
    return ensured;
  }

  /**
   * The request may or may not have been applied. A commit is atomic, so if the snapshot
   * it adds is in the table now, all of it landed.
   */
  private async resolveUnknownCommit(id: TableIdentifier, commit: TableCommit, failure: unknown): Promise<TableMetadata> {
    const table = formatTableIdentifier(id);
    const added = commit.updates.flatMap((u) => (u.action === 'add-snapshot' ? [u.snapshot['snapshot-id']] : []));
    let current: TableMetadata;
    try {
      current = await this.loadTable(id);
    } catch (reloadError) {
      throw new CommitStateUnknownError(`commit to ${table} failed and the table could not be reloaded to check it`, {
        cause: new AggregateError([failure, reloadError]),
      });
    }
    const landed = added.length > 0 && added.every((s) => current.snapshots.some((t) => t['snapshot-id'] === s));
    if (landed) return current;
    throw new CommitStateUnknownError(
      `commit to ${table} failed (${errorMessage(failure)}) and its snapshot ${added.join(', ') || '(none)'} is not in the table; it may still land`,
      { cause: failure },
    );
  }

  /**
   * Retries while the server cannot be reached, up to the configured wait. A refused
   * connection never carried the request, so any call may be retried; a read may also be
   * retried after a dropped connection or a gateway error, a write may not (its outcome
   * is unknown, which commitTable resolves by reloading).
   */
  private whileUnavailable<T>(kind: 'read' | 'write', call: () => Promise<T>): Promise<T> {
    return withRetries(call, {
      backoff: UNAVAILABLE_BACKOFF,
      deadlineMs: this.options.unavailableWaitMs ?? DEFAULT_UNAVAILABLE_WAIT_MS,
      retryable: (error) =>
        isConnectionRefused(error) || (kind === 'read' && (isNetworkFailure(error) || [502, 503, 504].some((status) => hasStatus(error, status)))),
      onRetry: (error, attempt, delayMs) => this.options.onUnavailable?.(this.explain(error, 'answer'), attempt, delayMs),
    });
  }

  /** Names the URL when nothing answered, and the action when the server refused. */
  private explain(error: unknown, action: string): Error {
    if (isNetworkFailure(error)) return new CatalogUnreachableError(this.uri, error);
    if (error instanceof IcebergError) {
      return new Error(`REST catalog at ${this.uri} could not ${action}: HTTP ${error.status} ${serverMessage(error)}`, {
        cause: error,
      });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function restId(id: TableIdentifier): RestTableIdentifier {
  return { namespace: [...id.namespace], name: id.name };
}

function restCreateRequest(id: TableIdentifier, request: CreateTableRequest): RestCreateTableRequest {
  const { schema, partitionSpec, sortOrder } = request;
  return {
    name: id.name,
    schema: { ...schema, fields: [...schema.fields] },
    'partition-spec': { ...partitionSpec, fields: [...partitionSpec.fields] },
    ...(sortOrder && { 'write-order': { ...sortOrder, fields: [...sortOrder.fields] } }),
    // No location: the server places the table in its warehouse.
    properties: { ...request.properties, 'format-version': '2' },
  };
}

