/** Hand-made DataFiles for lake unit tests that need no real Parquet file. */
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { serializeSingleValue } from '../../src/lake/spec/single-value.js';

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
