/**
 * One topic's path from source records to committed graph rows:
 * decode → validate → dedup → map → flush window → Arrow → Parquet → one commit per table.
 *
 * Exactly-once: each table's commit stores the next offset of every partition this job
 * wrote (see source-positions.ts). The commit only lands if the table's offsets for those
 * partitions are still the ones this job started its window from; otherwise another
 * process owns them now, the commit fails with OffsetFenceError and the caller must
 * re-open the job (which re-reads from the committed offsets). Sources must deliver each
 * partition's records in offset order without gaps, starting at the offset `assign`
 * returned; a record past the next expected offset is refused with OffsetGapError, since
 * accepting it would commit offsets over records never read.
 */
import { randomUUID } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import { mapEvent } from '../../graph/map-event.js';
import { forgottenVersionOf, readForgottenAccounts } from '../../lake/forgotten-accounts.js';
import { carriedProperties } from '../../lake/spec/carried-properties.js';
import type { DataFile } from '../../lake/spec/data-file.js';
import { writeDataFiles } from '../../lake/table/write-data-files.js';
import { TABLE_NAMES, type TableName } from '../../lake/tables.js';
import { edgesTable } from '../batch/edges-table.js';
import { nodesTable } from '../batch/nodes-table.js';
import { rejectedTable } from '../batch/rejected-table.js';
import { selfCommitter, type TableCommitter } from '../commit/table-committer.js';
import { DEFAULT_DEDUP_OPTIONS, type DedupOptions } from '../dedup/partition-dedup.js';
import { EventAdmission } from '../event-admission.js';
import type { SourceRecord } from '../source-record.js';
import { GraphWindow } from '../window/graph-window.js';
import { RejectedBuffer, type RejectedRecord } from '../window/rejected-buffer.js';
import type { GraphTables } from './graph-tables.js';
import { PartitionProgress } from './partition-progress.js';
import { positionsOf, type SourcePositions } from './source-positions.js';

export interface FlushLimits {
  /** Flush when the window holds this many edge rows. */
  readonly maxEdgeRows: number;
  /** Flush when rejected payloads hold this many bytes. */
  readonly maxRejectedBytes: number;
  /** A table that got no rows still commits its offsets at least this often, so restarts stay short. */
  readonly idleTableCommitMs: number;
}

export const DEFAULT_FLUSH_LIMITS: FlushLimits = { maxEdgeRows: 400_000, maxRejectedBytes: 64 << 20, idleTableCommitMs: 60_000 };

export interface TopicJobOptions {
  /** The docs/CONTRACTS.md §1 topic whose event rules apply; default: the topic name (differs for e.g. `staging.app.playback`). */
  readonly contract?: string;
  readonly dedup?: DedupOptions;
  readonly limits?: FlushLimits;
  /** The log the records come from, recorded beside their offsets (`kafkaSource(clusterId)` or `GENERATOR_SOURCE`). */
  readonly source?: string;
  /** Who lands the windows on the tables; default: this job, at once. */
  readonly committer?: TableCommitter;
  /** Test-only: called at named points of a flush so crash tests can kill the process there. */
  readonly onFlushPoint?: (point: FlushPoint) => void;
}

export type FlushPoint = 'before-parquet' | 'after-data-files' | 'before-commit' | 'after-commit';

export interface JobCounters {
  records: number;
  accepted: number;
  rejected: number;
  /** Records of forgotten accounts, dropped (`lakegraph forget`). */
  forgotten: number;
  duplicates: number;
  late: number;
  lateDuplicates: number;
  snapshots: number;
  edgeRows: number;
  nodeRows: number;
}

/** A window taken from the job, ready to be written: its Arrow tables and where each partition stood. */
interface TakenWindow {
  readonly rows: Record<TableName, arrow.Table | undefined>;
  readonly positions: ReadonlyMap<number, { readonly next: number; readonly replayFrom: number }>;
  readonly takenAt: number;
}

/** A record arrived beyond the partition's next offset; the source must re-read from `expected`. */
export class OffsetGapError extends Error {
  override readonly name = 'OffsetGapError';

  constructor(
    readonly partition: number,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`partition ${partition}: got offset ${got} while ${expected} is next; offsets ${expected}..${got - 1} were never read`);
  }
}

export interface FlushResult {
  readonly committedTables: TableName[];
  readonly edgeRows: number;
  readonly nodeRows: number;
  readonly rejectedRows: number;
  readonly durationMs: number;
}

export class TopicJob {
  private readonly own = { records: 0, accepted: 0, rejected: 0, forgotten: 0, snapshots: 0, edgeRows: 0, nodeRows: 0 };
  private readonly dedupOptions: DedupOptions;
  private readonly limits: FlushLimits;
  private readonly admission: EventAdmission;
  private readonly committer: TableCommitter;
  private readonly window = new GraphWindow();
  private readonly rejected = new RejectedBuffer();
  private readonly partitions = new Map<number, PartitionProgress>();
  /** Per table, the committed positions this process last saw (the fence for its next commit). */
  private readonly positions = new Map<TableName, SourcePositions>();
  private readonly lastCommitAt = new Map<TableName, number>();
  /** Per table, the tombstone list version its snapshot carried when this job read the list (lake/forgotten-accounts.ts). */
  private readonly forgottenSeen = new Map<TableName, string>();
  private recordsInWindow = 0;
  private previousFlush: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    readonly topic: string,
    private readonly tables: GraphTables,
    private readonly options: TopicJobOptions = {},
  ) {
    this.dedupOptions = options.dedup ?? DEFAULT_DEDUP_OPTIONS;
    this.limits = options.limits ?? DEFAULT_FLUSH_LIMITS;
    this.admission = new EventAdmission(options.contract ?? topic, this.dedupOptions);
    this.committer = options.committer ?? selfCommitter(tables);
  }

  /** Reloads the tables and forgets partitions, so the next `assign` starts from the committed state. */
  async reload(): Promise<void> {
    await this.previousFlush;
    this.failure = undefined;
    this.admission.restart();
    const now = Date.now();
    await this.refreshPositions();
    for (const name of TABLE_NAMES) this.lastCommitAt.set(name, now);
    this.partitions.clear();
    this.window.clear();
    this.rejected.clear();
    this.recordsInWindow = 0;
  }

  /**
   * A new assignment that keeps what it can; only with an empty window, after `reload` ran
   * once. A partition this job holds and keeps goes on from its next offset with its dedup
   * state, if every table still holds exactly the offset this job last saw for it (otherwise
   * another writer has committed it meanwhile, and it starts over from the lake). Dropped
   * partitions are forgotten; new ones start from the lake as in `assign`. Returns, per
   * assigned partition, the offset to read from.
   */
  async reassign(partitions: readonly number[]): Promise<Map<number, number>> {
    if (this.recordsInWindow > 0) throw new Error('TopicJob.reassign() needs an empty window; reload() instead');
    await this.previousFlush;
    if (this.failure !== undefined) throw this.failure;
    await this.refreshPositions();
    const kept = new Set(partitions.filter((partition) => this.stillHolds(partition)));
    for (const partition of this.partitions.keys()) {
      if (kept.has(partition)) continue;
      this.partitions.delete(partition);
      this.admission.forget(partition);
    }
    const starts = this.assign(partitions.filter((partition) => !kept.has(partition)));
    for (const partition of kept) starts.set(partition, this.partitions.get(partition)!.next);
    return starts;
  }

  /** Whether every table's committed offset of `partition` is the one this job last committed or loaded. */
  private stillHolds(partition: number): boolean {
    const progress = this.partitions.get(partition);
    return progress !== undefined && TABLE_NAMES.every((name) => (this.position(name).offsets.get(partition) ?? 0) === progress.committed[name]);
  }

  /** The tables' offsets and the tombstone list as the lake holds them now. */
  private async refreshPositions(): Promise<void> {
    for (const name of TABLE_NAMES) {
      const carried = carriedProperties(await this.tables[name].refresh());
      this.positions.set(name, positionsOf(carried, this.topic));
      this.forgottenSeen.set(name, forgottenVersionOf(carried));
    }
    // After the tables: forget adds to the list before it purges a table, so a version seen
    // above is always covered by the list read here.
    const { edges } = this.tables;
    this.admission.forgotten = (await readForgottenAccounts(edges.catalog, edges.id.namespace)).accounts;
  }

  /** Takes over partitions; returns the offset each must be read from (replay start, at or before the committed offset). */
  assign(partitions: readonly number[]): Map<number, number> {
    const starts = new Map<number, number>();
    for (const partition of partitions) {
      const committed = Object.fromEntries(TABLE_NAMES.map((name) => [name, this.position(name).offsets.get(partition) ?? 0])) as Record<TableName, number>;
      const replayFrom = Math.min(...TABLE_NAMES.map((name) => this.position(name).replay.get(partition) ?? committed[name]));
      const progress = new PartitionProgress(committed, replayFrom, this.dedupOptions.horizonMs, this.window.sinkFor(this.topic));
      this.partitions.set(partition, progress);
      starts.set(partition, progress.next);
    }
    return starts;
  }

  assignedPartitions(): number[] {
    return [...this.partitions.keys()];
  }

  process(record: SourceRecord): void {
    const progress = this.partitions.get(record.partition);
    if (progress === undefined) throw new Error(`record of ${this.topic}/${record.partition} arrived before the partition was assigned`);
    if (record.offset < progress.next) return; // redelivered after a seek; already processed
    if (record.offset > progress.next) throw new OffsetGapError(record.partition, progress.next, record.offset);
    progress.next = record.offset + 1;
    this.own.records++;
    this.recordsInWindow++;
    const admission = this.admission.admit(record);
    if (admission === 'forgotten') {
      this.own.forgotten++;
      return;
    }
    if (admission === 'rejected') {
      this.own.rejected++;
      if (progress.needsRejected(record.offset)) this.rejected.add(record, this.admission.reason, Date.now());
      return;
    }
    this.own.accepted++;
    const event = this.admission.event!;
    progress.replay.observe(record.offset, event.ts);
    if (admission === 'admitted') mapEvent(event, progress.sinkFor(record.offset));
  }

  /** The rejects the next flush commits to graph.rejected_events (the Kafka source sends them to the DLQ first). */
  get pendingRejections(): readonly RejectedRecord[] {
    return this.rejected.records;
  }

  get pendingRecords(): number {
    return this.recordsInWindow;
  }

  isFull(): boolean {
    return this.window.edgeRowCount >= this.limits.maxEdgeRows || this.rejected.bytes >= this.limits.maxRejectedBytes;
  }

  /**
   * Takes the window now — records processed after this call belong to the next one — and
   * writes and commits it to every table that has rows (or whose offsets have idled too
   * long) once the previous flush has finished. So a caller may keep processing while a
   * flush runs. If a flush fails, later windows would commit offsets past the lost one:
   * every later flush fails too, until `reload()`.
   */
  flush(): Promise<FlushResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const window = this.takeWindow();
    const done = this.previousFlush.then(() => {
      if (this.failure !== undefined) throw this.failure;
      return this.commitWindow(window);
    });
    this.previousFlush = done.then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    return done;
  }

  /** Resolves when no flush is running (never rejects; a failed flush shows in the next `flush()`). */
  get idle(): Promise<void> {
    return this.previousFlush;
  }

  private takeWindow(): TakenWindow {
    const rows = {
      edges: this.window.edgeRowCount > 0 ? edgesTable(this.window.edgeRows()) : undefined,
      nodes: this.window.nodeRowCount > 0 ? nodesTable(this.window.nodeRows()) : undefined,
      rejected_events: this.rejected.size > 0 ? rejectedTable(this.rejected.records) : undefined,
    };
    const positions = new Map<number, { next: number; replayFrom: number }>();
    for (const [partition, progress] of this.partitions) {
      positions.set(partition, { next: progress.next, replayFrom: Math.min(progress.replay.replayFrom(), progress.next) });
    }
    this.window.clear();
    this.rejected.clear();
    this.recordsInWindow = 0;
    return { rows, positions, takenAt: performance.now() };
  }

  private async commitWindow({ rows, positions, takenAt }: TakenWindow): Promise<FlushResult> {
    const point = this.options.onFlushPoint ?? (() => {});
    const now = Date.now();
    const committedTables: TableName[] = [];
    for (const name of TABLE_NAMES) {
      const batch = rows[name];
      const mine = this.advancedPositions(name, positions);
      const idleTooLong = now - (this.lastCommitAt.get(name) ?? 0) >= this.limits.idleTableCommitMs;
      if (mine.offsets.size === 0 || (batch === undefined && !idleTooLong)) continue;
      point('before-parquet');
      const files = batch === undefined ? [] : await writeDataFiles(this.tables[name], batch, { sort: false });
      point('after-data-files');
      point('before-commit');
      await this.commit(name, files, mine);
      point('after-commit');
      committedTables.push(name);
    }
    const result: FlushResult = {
      committedTables,
      edgeRows: rows.edges?.numRows ?? 0,
      nodeRows: rows.nodes?.numRows ?? 0,
      rejectedRows: rows.rejected_events?.numRows ?? 0,
      durationMs: performance.now() - takenAt,
    };
    this.own.edgeRows += result.edgeRows;
    this.own.nodeRows += result.nodeRows;
    return result;
  }

  private async commit(name: TableName, files: readonly DataFile[], mine: SourcePositions): Promise<void> {
    const held = this.position(name);
    const fence = new Map([...mine.offsets.keys()].flatMap((partition) => (held.offsets.has(partition) ? [[partition, held.offsets.get(partition)!] as const] : [])));
    await this.committer.commit({
      id: randomUUID(),
      topic: this.topic,
      table: name,
      files,
      positions: mine,
      fence,
      forgottenVersion: this.forgottenSeen.get(name)!,
      source: this.options.source,
    });
    // Other partitions' offsets may be behind the table's now; they are read again before use (refreshPositions).
    this.positions.set(name, { offsets: new Map([...held.offsets, ...mine.offsets]), replay: new Map([...held.replay, ...mine.replay]) });
    this.lastCommitAt.set(name, Date.now());
    for (const [partition, offset] of mine.offsets) this.partitions.get(partition)!.committed[name] = offset;
    this.own.snapshots++;
  }

  /** The taken window's partitions whose read position is past what `name` holds. */
  private advancedPositions(name: TableName, taken: TakenWindow['positions']): SourcePositions {
    const offsets = new Map<number, number>();
    const replay = new Map<number, number>();
    for (const [partition, { next, replayFrom }] of taken) {
      const progress = this.partitions.get(partition);
      if (progress === undefined || next <= progress.committed[name]) continue;
      offsets.set(partition, next);
      replay.set(partition, replayFrom);
    }
    return { offsets, replay };
  }

  private position(name: TableName): SourcePositions {
    const position = this.positions.get(name);
    if (position === undefined) throw new Error('TopicJob.reload() must run before use');
    return position;
  }

  get counters(): JobCounters {
    const { duplicates, late, lateDuplicates } = this.admission.totals();
    return { ...this.own, duplicates, late, lateDuplicates };
  }
}
