/**
 * Runs merge queries in an embedded DuckDB and hands back Arrow tables, ready for
 * `writeDataFiles` (which partitions them, writes Parquet with field ids and computes
 * metrics). DuckDB has no Arrow output in Node, so a result goes through an
 * uncompressed temporary Parquet file that parquet-wasm reads back into Arrow: both
 * sides are columnar, no row is ever a JS object.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { sqlString } from '../query/snapshot-views.js';

export class RowMerger {
  private results = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly scratch: string,
  ) {}

  static async open(): Promise<RowMerger> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new RowMerger(instance, connection, await mkdtemp(join(tmpdir(), 'lakegraph-merge-')));
  }

  /** The query's rows, relabelled with `schema` (IPC decoding yields generic types, e.g. Timestamp for TimestampMicrosecond). */
  async toArrow(query: string, schema: arrow.Schema): Promise<arrow.Table> {
    const file = join(this.scratch, `result-${this.results++}.parquet`);
    try {
      await this.connection.run(`COPY (${query}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION uncompressed)`);
      const wasmTable = parquet.readParquet(await readFile(file));
      return withSchema(arrow.tableFromIPC(wasmTable.intoIPCStream()), schema);
    } finally {
      await rm(file, { force: true });
    }
  }

  async count(query: string): Promise<bigint> {
    const rows = (await this.connection.runAndReadAll(query)).getRows();
    return BigInt(rows[0]?.[0] as bigint | number);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await rm(this.scratch, { recursive: true, force: true });
  }
}

function withSchema(table: arrow.Table, schema: arrow.Schema): arrow.Table {
  if (table.numCols !== schema.fields.length) throw new Error(`merge result has ${table.numCols} columns, expected ${schema.fields.length}`);
  const struct = new arrow.Struct(schema.fields);
  return new arrow.Table(
    table.batches.map(
      (batch) =>
        new arrow.RecordBatch(
          schema,
          arrow.makeData({
            type: struct,
            length: batch.numRows,
            nullCount: 0,
            children: batch.data.children.map((column, i) => column.clone(schema.fields[i].type)),
          }),
        ),
    ),
  );
}
