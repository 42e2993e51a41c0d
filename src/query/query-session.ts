/**
 * A DuckDB session over snapshot ∪ hot tail (docs/QUERIES.md, "Exactly one tier per record").
 *
 * Views `edges` and `nodes` are the current snapshot's data files UNION ALL the hot
 * tables; `rejected_events` is the snapshot only. When a newer snapshot lands, one
 * transaction re-points the snapshot views and deletes the hot rows whose offsets the
 * snapshot now covers, so every record is in exactly one tier. Queries, hot appends and
 * swaps run one at a time on one connection (see Serial): a query never sees half a swap,
 * and DuckDB variables set for one query cannot leak into another.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '../events/topics.js';
import type { Catalog } from '../lake/catalog/catalog.js';
import type { SnapshotId } from '../lake/spec/snapshot.js';
import { currentSchema } from '../lake/spec/table-metadata.js';
import { localReplicasOf, type LocalReplicas } from '../lake/io/local-replicas.js';
import { forgottenVersionOf, NONE_FORGOTTEN, readForgottenAccounts, type ForgottenAccounts } from '../lake/forgotten-accounts.js';
import { carriedProperties } from '../lake/spec/carried-properties.js';
import { NAMESPACE, TABLE_NAMES, TABLE_SCHEMAS } from '../lake/tables.js';
import type { DedupOptions } from '../stream/dedup/partition-dedup.js';
import type { JsonLog } from '../stream/metrics/json-log.js';
import { dropForgottenRows } from './hot/forgotten-rows.js';
import { appendHotEdges, appendHotNodes, dropCoveredRows, HOT_EDGES_SELECT, HOT_NODES_SELECT, HOT_TABLES_DDL } from './hot/hot-tier.js';
import { answeredByIndex, readsSnapshotViews, runGraphQuery } from './graph-queries.js';
import type { GraphRequest } from './graph-request.js';
import type { GraphResult } from './graph-result.js';
import { EdgeChangeFeed, snapshotOutrunsTail } from './hot/edge-change-feed.js';
import { HotAdjacency } from './hot/hot-adjacency.js';
import type { TailHealth } from './hot/tail-health.js';
import { TailStarter } from './hot/tail-starter.js';
import { EdgeIndex, type EdgeIndexOptions, type EdgeIndexVersion, type IndexLoadProgress } from './index/edge-index.js';
import { IndexedEdges } from './index/indexed-edges.js';
import { TailDecoder, type TailedTopic, type TopicBoundary } from './hot/tail-decoder.js';
import { Serial } from './serial.js';
import type { AsOf } from './as-of.js';
import { committedOffsets, loadPastSnapshotTier, loadSnapshotTier, replayOffsets, sameSnapshots, type SnapshotTier } from './snapshot-tier.js';
import { createSnapshotView } from './snapshot-views.js';

export interface HotTailOptions {
  readonly kafka: Kafka;
  /** Topics to tail; those missing on the broker are skipped. */
  readonly topics: readonly TailedTopic[];
  readonly dedup?: DedupOptions;
  /** Fetching pauses while the hot tables hold this many rows, until a snapshot drains them. */
  readonly maxHotRows?: number;
  /** Where the tail says it is down or started. */
  readonly log?: JsonLog;
}

export interface QuerySessionOptions {
  readonly catalog: Catalog;
  readonly hot?: HotTailOptions;
  /**
   * Hold the snapshot's edges in memory, indexed by node (index/): what a long-running
   * service wants for millisecond queries. A one-shot query reads the files instead.
   * `windowMs` bounds it to the recent rows (index/index-window.ts).
   */
  readonly edgeIndex?: EdgeIndexOptions & { readonly onProgress?: (progress: IndexLoadProgress) => void };
  /**
   * Time travel: every table as its newest snapshot at or before this moment held it
   * (as-of.ts). Such a session has no tail and never moves to newer snapshots.
   */
  readonly asOf?: AsOf;
}

export interface QueryContext {
  readonly connection: DuckDBConnection;
  readonly snapshot: SnapshotTier;
  /** Local paths DuckDB reads the snapshot's data files from, wherever the lake lives. */
  readonly replicas: LocalReplicas;
  /**
   * The snapshot's edges by node (same snapshot as `snapshot`), when the session keeps
   * them, and the connection where a query's neighbourhood is copied from it.
   */
  readonly edgeIndex?: {
    readonly version: EdgeIndexVersion;
    readonly table: IndexedEdges;
    /** The hot tier's edges by source (same rows as `hot_edges`), for walks. */
    readonly hotEdges: HotAdjacency;
  };
}

export interface SessionStats {
  readonly hotEdgeRows: number;
  readonly hotNodeRows: number;
  readonly swaps: number;
  /** Committed edge rows held in the edge index; null without one. */
  readonly indexedEdgeRows: number | null;
  /** Where the index window starts (ISO-8601); null without an index or without a window. */
  readonly indexWindowStart: string | null;
  /** Graph requests answered from the edge index and from the data files (lake), since the session opened. */
  readonly answeredBy: { readonly index: number; readonly lake: number };
  readonly snapshotIds: Readonly<Record<string, SnapshotId | null>>;
  /** The Kafka tail's state; null in a session without one. */
  readonly tail: TailHealth | null;
}

const DEFAULT_MAX_HOT_ROWS = 2_000_000;
/** The view over each table's snapshot files. */
const SNAPSHOT_VIEWS = { edges: 'snapshot_edges', nodes: 'snapshot_nodes', rejected_events: 'rejected_events' } as const;
const HOT_APPEND_DELAY_MS = 50;

interface IndexState {
  readonly index: EdgeIndex;
  readonly onProgress: ((progress: IndexLoadProgress) => void) | undefined;
  readonly table: IndexedEdges;
  readonly hotEdges: HotAdjacency;
}

/** The five docs/CONTRACTS.md §1 topics under their own names: what a session tails unless told otherwise. */
export const CONTRACT_TOPICS: readonly TailedTopic[] = TOPICS.map((topic) => ({ topic, contract: topic }));

export class QuerySession {
  /** Tells live push (watch/) which tailed batches and swaps touch the sources it watches. */
  readonly edgeChanges = new EdgeChangeFeed();
  private readonly serial = new Serial();
  private tail: TailStarter | undefined;
  private decoder: TailDecoder | undefined;
  private hotRows = { edges: 0, nodes: 0 };
  private swaps = 0;
  private answeredBy = { index: 0, lake: 0 };
  private appendTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | undefined;
  /** The snapshot the main connection's file views show; behind `snapshot` in an indexed session until a query needs them. */
  private viewsShow: SnapshotTier | undefined;
  /** Set by close(): a batch the tail hands over after it must not reach the closed connection. */
  private closed = false;

  private constructor(
    private readonly catalog: Catalog,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private snapshot: SnapshotTier,
    private readonly maxHotRows: number,
    private readonly edgeIndex: IndexState | undefined,
    private indexVersion: EdgeIndexVersion | undefined,
    private readonly pinned: boolean,
    /** The accounts whose records the tail drops (`lakegraph forget`), re-read when a table's snapshot says the list grew. */
    private forgotten: ForgottenAccounts,
  ) {}

  static async open(options: QuerySessionOptions): Promise<QuerySession> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    // Committed data files never change (Iceberg), so their Parquet footers can stay cached across queries.
    await connection.run('SET parquet_metadata_cache = true');
    for (const ddl of HOT_TABLES_DDL) await connection.run(ddl);
    if (options.asOf !== undefined && options.hot) throw new Error('a session as of a past moment reads no Kafka tail');
    const snapshot = options.asOf === undefined ? await loadSnapshotTier(options.catalog) : (await loadPastSnapshotTier(options.catalog, options.asOf)).tier;
    const edgeIndex = options.edgeIndex && {
      index: new EdgeIndex(localReplicasOf(options.catalog.io), options.edgeIndex),
      onProgress: options.edgeIndex.onProgress,
      table: await IndexedEdges.open(await instance.connect()),
      hotEdges: new HotAdjacency(),
    };
    const indexVersion = await edgeIndex?.index.versionOf(snapshot.edges, edgeIndex.onProgress);
    const forgotten = options.hot ? await readForgottenAccounts(options.catalog, [NAMESPACE]) : NONE_FORGOTTEN;
    const session = new QuerySession(options.catalog, instance, connection, snapshot, options.hot?.maxHotRows ?? DEFAULT_MAX_HOT_ROWS, edgeIndex, indexVersion, options.asOf !== undefined, forgotten);
    await session.createViews();
    if (options.hot) session.startTail(options.hot);
    return session;
  }

  /** Runs `work` alone on the session's connection, after appending the tail read so far. */
  query<T>(work: (context: QueryContext) => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      await this.appendPendingHotRows();
      await this.pointSnapshotViews(this.snapshot);
      return work(this.context());
    });
  }

  /**
   * Runs a graph request. Requests that do not read the file views (those the edge index
   * answers, an account's member-activity without one) skip bringing them up to date:
   * re-pointing a view over hundreds of files takes tens of ms, and on an S3 lake the
   * first one copies every file to the local cache.
   */
  graphQuery(request: GraphRequest): Promise<GraphResult> {
    return this.serial.run(async () => {
      await this.appendPendingHotRows();
      if (answeredByIndex(request, this.indexVersion)) this.answeredBy.index++;
      else this.answeredBy.lake++;
      if (readsSnapshotViews(request, this.indexVersion)) await this.pointSnapshotViews(this.snapshot);
      return runGraphQuery(this.context(), request);
    });
  }

  private context(): QueryContext {
    const edgeIndex = this.edgeIndex && this.indexVersion && { version: this.indexVersion, table: this.edgeIndex.table, hotEdges: this.edgeIndex.hotEdges };
    return { connection: this.connection, snapshot: this.snapshot, replicas: localReplicasOf(this.catalog.io), edgeIndex };
  }

  /**
   * Loads the catalog's current snapshots; swaps tiers if any changed. Resolves true on a swap.
   * Calls while one is under way share it: a swap waits for the running query, and refreshes
   * piling up behind a slow query would each hold a planned file list.
   */
  refresh(): Promise<boolean> {
    if (this.pinned) return Promise.resolve(false);
    this.refreshing ??= this.loadAndSwap().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** One-shot queries: resolves once the tail has read every partition up to the end offsets of now, and the hot tables hold it. */
  async catchUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const tail = await this.tail?.started(timeoutMs);
    if (tail === undefined) return;
    const ends = await tail.endOffsets();
    while (!tail.reached(ends)) {
      if (Date.now() > deadline) throw new Error(`the Kafka tail did not reach the end offsets within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.serial.run(() => this.appendPendingHotRows());
  }

  /** Cancels the DuckDB statement running now (a request that ran out of time). */
  interrupt(): void {
    this.connection.interrupt();
    this.edgeIndex?.table.connection.interrupt();
  }

  stats(): SessionStats {
    const snapshotIds = Object.fromEntries(Object.entries(this.snapshot).map(([name, t]) => [name, t.snapshotId ?? null]));
    const windowStart = this.indexVersion?.windowStartMs ?? -Infinity;
    return {
      hotEdgeRows: this.hotRows.edges,
      hotNodeRows: this.hotRows.nodes,
      swaps: this.swaps,
      indexedEdgeRows: this.indexVersion?.rows ?? null,
      indexWindowStart: windowStart === -Infinity ? null : new Date(windowStart).toISOString(),
      answeredBy: { ...this.answeredBy },
      snapshotIds,
      tail: this.tail?.status() ?? null,
    };
  }

  /** Prompt whatever Kafka's state: the tail gets a bounded time to leave its group, a running query is interrupted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail?.stop();
    clearTimeout(this.appendTimer);
    this.interrupt();
    await this.serial.run(async () => {
      this.edgeIndex?.table.connection.closeSync();
      this.connection.closeSync();
      this.instance.closeSync();
    });
    await this.edgeIndex?.index.close();
  }

  private async loadAndSwap(): Promise<boolean> {
    const next = await loadSnapshotTier(this.catalog, this.snapshot);
    // The index window's start moves once a day, snapshot or not: rows before it leave the index.
    const windowMoved = this.edgeIndex !== undefined && this.indexVersion !== undefined && this.edgeIndex.index.windowStartMs() !== this.indexVersion.windowStartMs;
    if (sameSnapshots(next, this.snapshot) && !windowMoved) return false;
    // Loaded before the swap, while queries go on over the current version.
    const nextIndex = this.edgeIndex && (await this.edgeIndex.index.versionOf(next.edges, this.edgeIndex.onProgress));
    const forgotten = this.forgottenListGrew(next) ? await readForgottenAccounts(this.catalog, [NAMESPACE]) : undefined;
    await this.serial.run(() => this.swap(next, nextIndex, forgotten));
    return true;
  }

  /** A table of the next snapshot was purged against a tombstone list this session has not read (lake/forgotten-accounts.ts). */
  private forgottenListGrew(next: SnapshotTier): boolean {
    if (this.decoder === undefined) return false;
    return TABLE_NAMES.some((name) => {
      const version = forgottenVersionOf(carriedProperties(next[name].metadata));
      return version !== '' && version !== this.forgotten.version;
    });
  }

  private startTail(options: HotTailOptions): void {
    this.tail = new TailStarter({
      kafka: options.kafka,
      topics: options.topics,
      log: options.log,
      onBatch: () => {
        if (this.decoder !== undefined) this.edgeChanges.scan(this.decoder.buffer.edges);
        this.scheduleHotAppend();
      },
      // Between swaps, so the decoder starts from the snapshot the session shows.
      begin: (tailed) =>
        this.serial.run(async () => {
          const decoder = new TailDecoder(options.dedup);
          decoder.setForgotten(this.forgotten.accounts);
          for (const t of tailed) decoder.startTopic(t, replayOffsets(this.snapshot, t.topic), this.boundaryOf(this.snapshot, t.topic));
          this.decoder = decoder;
          return decoder;
        }),
    });
  }

  private boundaryOf(snapshot: SnapshotTier, topic: string): TopicBoundary {
    return { edges: committedOffsets(snapshot.edges, topic), nodes: committedOffsets(snapshot.nodes, topic) };
  }

  /**
   * Appends a little after a batch, so rows are mostly in DuckDB before the next query asks
   * (a query appends what is still pending itself). Batches arriving meanwhile share the
   * append: each one holds the service's thread for a millisecond or more.
   */
  private scheduleHotAppend(): void {
    if (this.appendTimer !== undefined || this.closed) return;
    this.appendTimer = setTimeout(() => {
      void this.serial.run(async () => {
        this.appendTimer = undefined;
        await this.appendPendingHotRows();
      });
    }, HOT_APPEND_DELAY_MS);
  }

  private async appendPendingHotRows(): Promise<void> {
    const decoder = this.decoder;
    if (decoder === undefined || decoder.buffer.size === 0) return;
    const { edges, nodes } = decoder.buffer.take();
    await appendHotEdges(this.connection, edges, decoder.topics);
    this.edgeIndex?.hotEdges.add(edges);
    await appendHotNodes(this.connection, nodes, decoder.topics);
    this.hotRows.edges += edges.length;
    this.hotRows.nodes += nodes.length;
    this.tail?.setPaused(this.hotRows.edges + this.hotRows.nodes >= this.maxHotRows);
  }

  /** `forgotten`: the tombstone list, when it grew; the forgotten members' hot rows go in the same transaction. */
  private async swap(next: SnapshotTier, nextIndex: EdgeIndexVersion | undefined, forgotten: ForgottenAccounts | undefined): Promise<void> {
    const decoder = this.decoder;
    if (decoder && forgotten) decoder.setForgotten(forgotten.accounts);
    // Boundaries first: from here on, records the new snapshot holds never become hot rows;
    // the ones already buffered are appended and then deleted with the rest below.
    // (Up to here, every record the tail decoded is a hot row the change feed scanned.)
    const watchersMustLook = snapshotOutrunsTail(this.snapshot.edges, next.edges, decoder);
    if (decoder) for (const topic of decoder.topics) decoder.setBoundary(topic, this.boundaryOf(next, topic));
    await this.appendPendingHotRows();
    await this.connection.run('BEGIN TRANSACTION');
    try {
      if (this.edgeIndex === undefined) await this.pointSnapshotViews(next);
      if (decoder) {
        for (const topic of decoder.topics) {
          const boundary = this.boundaryOf(next, topic);
          await dropCoveredRows(this.connection, 'hot_edges', topic, boundary.edges);
          await dropCoveredRows(this.connection, 'hot_nodes', topic, boundary.nodes);
        }
        if (forgotten) await dropForgottenRows(this.connection, forgotten.accounts);
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
    if (decoder) await this.edgeIndex?.hotEdges.reload(this.connection);
    this.snapshot = next;
    this.indexVersion = nextIndex;
    if (forgotten) this.forgotten = forgotten;
    this.swaps++;
    const counts = (await this.connection.runAndReadAll('SELECT (SELECT count(*) FROM hot_edges) AS edges, (SELECT count(*) FROM hot_nodes) AS nodes')).getRowObjectsJson()[0] as { edges: string; nodes: string };
    this.hotRows = { edges: Number(counts.edges), nodes: Number(counts.nodes) };
    this.tail?.setPaused(this.hotRows.edges + this.hotRows.nodes >= this.maxHotRows);
    // After a forget, feeds re-read too: one of a forgotten member must not keep its edges.
    if (watchersMustLook || forgotten) this.edgeChanges.swapped();
  }

  /**
   * Created once: `edges` / `nodes` name the snapshot views, which DuckDB binds at each
   * query. Those start typed and empty: the first query that reads them points them at
   * the snapshot's files.
   */
  private async createViews(): Promise<void> {
    for (const name of TABLE_NAMES) await createSnapshotView(this.connection, SNAPSHOT_VIEWS[name], TABLE_SCHEMAS[name], []);
    await this.connection.run(`CREATE OR REPLACE VIEW edges AS SELECT * FROM snapshot_edges UNION ALL ${HOT_EDGES_SELECT}`);
    await this.connection.run(`CREATE OR REPLACE VIEW nodes AS SELECT * FROM snapshot_nodes UNION ALL ${HOT_NODES_SELECT}`);
  }

  /** Re-points the snapshot view of each table whose snapshot the views do not show yet (binding a view over hundreds of files takes tens of ms). */
  private async pointSnapshotViews(snapshot: SnapshotTier): Promise<void> {
    for (const name of TABLE_NAMES) {
      if (this.viewsShow?.[name] === snapshot[name]) continue;
      const files = await localReplicasOf(this.catalog.io).pathsOf(snapshot[name].files.map((f) => f.filePath));
      await createSnapshotView(this.connection, SNAPSHOT_VIEWS[name], TABLE_SCHEMAS[name], files, currentSchema(snapshot[name].metadata));
    }
    this.viewsShow = snapshot;
  }
}
