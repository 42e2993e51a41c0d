/**
 * The committed `graph.edges` rows of the current snapshot, in memory, found by node in
 * microseconds instead of by scanning Parquet. One segment per data file, cached by file
 * path: a new snapshot loads only the files it added (a streaming commit: a few small
 * files) and forgets the ones it removed; a compaction's rewrite is loaded while the
 * previous version keeps answering. A version is immutable, so a query holds one
 * consistent view however refreshes interleave.
 *
 * With an index window (index-window.ts) it holds only the rows last seen since the
 * window's start: files wholly before it are never read, and as the start moves (once a
 * day) their segments are dropped like a removed file's. What the rows before the start
 * add to an edge's aggregate comes from a summary on local disk (pre-window-edges.ts),
 * rebuilt when the start moves or the files before it change.
 *
 * Files are read through the host's file cache (LocalReplicas): on an S3 lake a restart
 * of `serve` then loads from local copies, 15–30% sooner than from the store, where the
 * transfer competes with decoding for the cores (docs/BENCHMARKS.md, "Reading an S3 lake").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToQueries } from 'node:timers/promises';
import type { LocalReplicas } from '../../lake/io/local-replicas.js';
import type { DataFile } from '../../lake/spec/data-file.js';
import { StringDictionary } from '../../stream/window/string-dictionary.js';
import type { TableSnapshot } from '../snapshot-tier.js';
import { EdgeSegment } from './edge-segment.js';
import { indexWindowStartMs, splitAtWindowStart } from './index-window.js';
import { NodeDictionary } from './node-dictionary.js';
import { PreWindowEdges } from './pre-window-edges.js';

export interface EdgeIndexVersion {
  readonly nodes: NodeDictionary;
  /** Source topic names by the codes segments hold. */
  readonly topics: StringDictionary;
  readonly segments: readonly EdgeSegment[];
  readonly rows: number;
  /** Epoch ms from which the segments hold every committed row (-Infinity: no window, all rows). */
  readonly windowStartMs: number;
  /** What the rows before the window add to aggregates; undefined when no file holds any. */
  readonly preWindow: PreWindowEdges | undefined;
}

export interface EdgeIndexOptions {
  /** Hold only rows last seen within this many ms before now (index-window.ts); absent: every row. */
  readonly windowMs?: number;
  /** Epoch ms; a test's clock. */
  readonly now?: () => number;
}

export interface IndexLoadProgress {
  readonly filesLoaded: number;
  readonly filesToLoad: number;
  readonly rowsLoaded: number;
}

/** The pre-window summary and what it was built from: rebuilt only when that changes. */
interface PreWindowBuild {
  readonly key: string;
  readonly edges: Promise<PreWindowEdges | undefined>;
}

export class EdgeIndex {
  private readonly nodes = new NodeDictionary();
  private readonly topics = new StringDictionary();
  /** By file path, or path@start for a file straddling the window's start (its rows depend on it). */
  private segments = new Map<string, EdgeSegment>();
  /** The summary the newest version uses, and the one before (a query may still hold that version). */
  private preWindow: PreWindowBuild[] = [];
  private directory: Promise<string> | undefined;
  private builds = 0;

  constructor(
    private readonly replicas: LocalReplicas,
    private readonly options: EdgeIndexOptions = {},
  ) {}

  /** Where a version made now would start holding rows (epoch ms; -Infinity without a window). */
  windowStartMs(): number {
    const { windowMs, now = Date.now } = this.options;
    return windowMs === undefined ? -Infinity : indexWindowStartMs(windowMs, now());
  }

  /** The index over the table's files (those in the window, with one), loading those not held yet. */
  async versionOf(table: TableSnapshot, onProgress?: (progress: IndexLoadProgress) => void): Promise<EdgeIndexVersion> {
    const windowStartMs = this.windowStartMs();
    const { inWindow, beforeWindow } = splitAtWindowStart(table, windowStartMs);
    const keyOf = (file: DataFile, fromMicros: number) => (fromMicros === -Infinity ? file.filePath : `${file.filePath}@${fromMicros}`);
    const preWindow = this.preWindowOf(beforeWindow, windowStartMs);
    const missing = inWindow.filter(({ file, fromMicros }) => !this.segments.has(keyOf(file, fromMicros)));
    const paths = await this.replicas.pathsOf(missing.map(({ file }) => file.filePath));
    let rowsLoaded = 0;
    for (const [i, { file, fromMicros }] of missing.entries()) {
      const segment = EdgeSegment.fromParquet(await readFile(paths[i]!), this.nodes, this.topics, file.filePath, fromMicros);
      this.segments.set(keyOf(file, fromMicros), segment);
      rowsLoaded += segment.rows;
      onProgress?.({ filesLoaded: i + 1, filesToLoad: missing.length, rowsLoaded });
      // Loading a large snapshot takes seconds: queries on the previous version go on meanwhile.
      await yieldToQueries();
    }
    const next = new Map(inWindow.map(({ file, fromMicros }) => [keyOf(file, fromMicros), this.segments.get(keyOf(file, fromMicros))!]));
    this.segments = next;
    const segments = [...next.values()];
    return { nodes: this.nodes, topics: this.topics, segments, rows: segments.reduce((sum, s) => sum + s.rows, 0), windowStartMs, preWindow: await preWindow };
  }

  /** Removes the pre-window summaries' files. */
  async close(): Promise<void> {
    const directory = this.directory;
    this.directory = undefined;
    this.preWindow = [];
    if (directory !== undefined) await rm(await directory, { recursive: true, force: true });
  }

  /** The summary of `files` before `startMs`: the current one while neither changed, else a new build (the one before the current is removed). */
  private preWindowOf(files: readonly DataFile[], startMs: number): Promise<PreWindowEdges | undefined> {
    const key = `${startMs} ${files.map((f) => f.filePath).join(' ')}`;
    const current = this.preWindow[0];
    if (current?.key === key) return current.edges;
    const edges = (async () => {
      const paths = await this.replicas.pathsOf(files.map((f) => f.filePath));
      this.directory ??= mkdtemp(join(tmpdir(), 'lakegraph-index-'));
      const rows = files.reduce((sum, f) => sum + Number(f.recordCount), 0);
      return PreWindowEdges.build(paths, rows, startMs, await this.directory, `pre-window-${++this.builds}`);
    })();
    // A failed build is not kept: the next refresh tries again.
    edges.catch(() => (this.preWindow = this.preWindow.filter((b) => b.edges !== edges)));
    const [, retired] = this.preWindow;
    this.preWindow = [{ key, edges }, ...(current ? [current] : [])];
    void retired?.edges.then((e) => e?.remove(), () => {});
    return edges;
  }
}
