/**
 * The committed edge rows last seen before the index window's start, summarised per edge
 * key and source topic (min first_seen, max last_seen, sum event_count) in two local
 * Parquet files, one sorted by source id and one by destination id, in row groups small
 * enough that a lookup by node reads a few of them. They are not in memory: the files sit
 * in the page cache, read per query.
 *
 * Why a query inside the window needs them: the library aggregates an edge over ALL its
 * rows and then keeps it when the aggregate's last_seen is in the window
 * (docs/QUERIES.md). An edge seen today and ten days ago answers with the first_seen of ten
 * days ago and both days' event counts. Rows before the window can never make an edge
 * qualify (their last_seen is before every window the index answers), so the walk needs
 * only the index; the summary then adds, for the nodes walked, what the rows before the
 * window contribute. Min, max and sum combine over a summary as over the rows, so the
 * answer equals the one over every row.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EDGE_TYPES } from '../../graph/model.js';
import type { NodeRef } from '../graph-request.js';
import { sqlString } from '../snapshot-views.js';

/** Memory DuckDB may use while summarising; beyond it the aggregate spills to the directory's disk. */
const BUILD_MEMORY_LIMIT = '256MB';
/** Rows summarised at once under that cap (4M rows at once did not fit). */
const PART_ROWS = 500_000;
/** Rows per row group: a lookup by a few node ids reads a few groups of this many. */
const ROW_GROUP_ROWS = 8192;

const list = (paths: readonly string[]) => `[${paths.map(sqlString).join(', ')}]`;
const ids = (refs: readonly NodeRef[]) => refs.map((r) => sqlString(r.id)).join(', ');
const typedIds = (refs: readonly NodeRef[]) => refs.map((r) => sqlString(`${r.type}:${r.id}`)).join(', ');

export class PreWindowEdges {
  private constructor(
    /** The summary's parts sorted by source id, then the same parts sorted by destination id. */
    private readonly bySrc: readonly string[],
    private readonly byDst: readonly string[],
  ) {}

  /**
   * Summarises the rows last seen before `startMs` in `files` (local paths; `rows` in all)
   * into files named `name`-*.parquet in `directory`; undefined when there are no such files.
   */
  static async build(files: readonly string[], rows: number, startMs: number, directory: string, name: string): Promise<PreWindowEdges | undefined> {
    if (files.length === 0) return undefined;
    // An instance of its own, on a database file, one thread, capped: its memory goes back
    // when the summary is written, and the service's resident memory does not grow with the
    // table. DuckDB 1.4's grouping and sorting of many string keys still ran out of memory
    // under a 256 MB cap at 4M rows, so the rows are split by source id into parts of at
    // most PART_ROWS first (a streaming write), and each part is summarised on its own.
    const database = join(directory, `${name}.duckdb`);
    const split = join(directory, `${name}.parts`);
    const instance = await DuckDBInstance.create(database, { memory_limit: BUILD_MEMORY_LIMIT, threads: '1', temp_directory: `${database}.tmp` });
    const connection = await instance.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      // Rows are grouped and then sorted anyway: not keeping their order saves DuckDB buffering them.
      await connection.run('SET preserve_insertion_order = false');
      const parts = Math.max(1, Math.ceil(rows / PART_ROWS));
      await connection.run(
        `COPY (SELECT *, hash(src_id) % ${parts} AS part FROM read_parquet([${files.map(sqlString).join(', ')}]) WHERE last_seen < make_timestamptz(${startMs * 1000}::BIGINT)) ` +
          `TO ${sqlString(split)} (FORMAT parquet, PARTITION_BY (part))`,
      );
      const edgeCode = `CAST(list_position([${EDGE_TYPES.map(sqlString).join(', ')}], edge_type) - 1 AS UTINYINT)`;
      const bySrc: string[] = [];
      const byDst: string[] = [];
      for (let part = 0; part < parts; part++) {
        const partDirectory = join(split, `part=${part}`);
        // A part no row fell into has no directory.
        if (!existsSync(partDirectory)) continue;
        await connection.run(
          `CREATE OR REPLACE TABLE summary AS SELECT ${edgeCode} AS edge_code, src_type, src_id, dst_type, dst_id, ` +
            'CAST(epoch_us(min(first_seen)) AS DOUBLE) AS first_seen_us, CAST(epoch_us(max(last_seen)) AS DOUBLE) AS last_seen_us, CAST(sum(event_count) AS DOUBLE) AS event_count, source_topic ' +
            `FROM read_parquet(${sqlString(join(partDirectory, '*.parquet'))}) GROUP BY edge_type, src_type, src_id, dst_type, dst_id, source_topic`,
        );
        for (const [into, column] of [[bySrc, 'src_id'], [byDst, 'dst_id']] as const) {
          const path = join(directory, `${name}-${part}-by-${column}.parquet`);
          await connection.run(`COPY (SELECT * FROM summary ORDER BY ${column}) TO ${sqlString(path)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
          into.push(path);
        }
        await connection.run('DROP TABLE summary');
      }
      return bySrc.length === 0 ? undefined : new PreWindowEdges(bySrc, byDst);
    } finally {
      connection.closeSync();
      instance.closeSync();
      await Promise.all([database, `${database}.tmp`, `${database}.wal`, split].map((path) => rm(path, { recursive: true, force: true })));
    }
  }

  /**
   * Inserts into `temp.neighbourhood` (indexed-edges.ts) the summary rows out of
   * `walkedOut` and those into `lookedInto` that are not out of a walked node: each
   * row once, as the index side adds its rows.
   */
  async addTo(connection: DuckDBConnection, walkedOut: readonly NodeRef[], lookedInto: readonly NodeRef[]): Promise<void> {
    const columns = 'edge_code, src_id, dst_id, first_seen_us, last_seen_us, event_count, source_topic';
    // The plain id list is what DuckDB prunes row groups by; the typed one keeps ids of another node type out.
    const out = (refs: readonly NodeRef[]) => `src_id IN (${ids(refs)}) AND src_type || ':' || src_id IN (${typedIds(refs)})`;
    if (walkedOut.length > 0) {
      await connection.run(`INSERT INTO temp.neighbourhood SELECT ${columns} FROM read_parquet(${list(this.bySrc)}) WHERE ${out(walkedOut)}`);
    }
    if (lookedInto.length > 0) {
      const notWalked = walkedOut.length > 0 ? ` AND NOT (${out(walkedOut)})` : '';
      await connection.run(
        `INSERT INTO temp.neighbourhood SELECT ${columns} FROM read_parquet(${list(this.byDst)}) WHERE dst_id IN (${ids(lookedInto)}) AND dst_type || ':' || dst_id IN (${typedIds(lookedInto)})${notWalked}`,
      );
    }
  }

  async remove(): Promise<void> {
    await Promise.all([...this.bySrc, ...this.byDst].map((path) => rm(path, { force: true })));
  }
}
