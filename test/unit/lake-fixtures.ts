/** Fixtures for lake unit tests: scratch catalogs, a catalog that loses answers, hand-made DataFiles (no real Parquet file). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { formatTableIdentifier, type Catalog } from '../../src/lake/catalog/catalog.js';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { CommitStateUnknownError } from '../../src/lake/catalog/rest-errors.js';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { serializeSingleValue } from '../../src/lake/spec/single-value.js';

/** Each call: a FilesystemCatalog in a fresh warehouse, all under one temporary directory removed after the test file. */
export async function scratchCatalogs(prefix: string): Promise<() => FilesystemCatalog> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(root, { recursive: true, force: true }));
  let warehouses = 0;
  return () => new FilesystemCatalog(join(root, `wh${warehouses++}`));
}

/** `inner`, except that each commit is applied and then fails as a REST server's 5xx after the swap does. */
export function answerLosingCatalog(inner: Catalog): Catalog {
  return {
    io: inner.io,
    loadTable: (id) => inner.loadTable(id),
    createTable: (id, request) => inner.createTable(id, request),
    commitTable: async (id, commit) => {
      await inner.commitTable(id, commit);
      throw new CommitStateUnknownError(`commit to ${formatTableIdentifier(id)} failed (HTTP 502) and its outcome is unknown`);
    },
  };
}

export function edgeDataFile(
  path: string,
  partition: [day: number, bucket: number],
  records: bigint,
  srcIdRange: [min: string, max: string] = ['a-1', 'a-9'],
): DataFile {
  return {
    content: 0,
    filePath: path,
    fileFormat: 'PARQUET',
    specId: 0,
    partition,
    recordCount: records,
    fileSizeInBytes: 1000n + records,
    metrics: {
      columnSizes: new Map([[1, 10n], [3, 30n]]),
      valueCounts: new Map([[1, records], [3, records]]),
      nullValueCounts: new Map([[1, 0n], [3, 0n]]),
      lowerBounds: new Map([[3, serializeSingleValue('string', srcIdRange[0])]]),
      upperBounds: new Map([[3, serializeSingleValue('string', srcIdRange[1])]]),
    },
  };
}
