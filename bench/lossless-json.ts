/**
 * What reading a metadata file with 64-bit snapshot ids through `common/lossless-json.ts`
 * costs against plain `JSON.parse`: the figure README's "64-bit snapshot ids, exactly"
 * decision quotes. Builds a table-metadata JSON of `--snapshots` snapshots with random
 * 63-bit ids (as Spark, Trino and PyIceberg pick them) and times both parsers, median of
 * `--rounds`.
 *
 *   npx tsc -p . && node dist/bench/lossless-json.js [--snapshots 5000] [--rounds 7]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parseJson } from '../src/common/lossless-json.js';
import { positiveFlag } from './bench-flags.js';

const { values } = parseArgs({ options: { snapshots: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '7' } } });
const snapshotCount = positiveFlag(values, 'snapshots');
const rounds = positiveFlag(values, 'rounds');

function randomId(): bigint {
  return (BigInt(Math.floor(Math.random() * 2 ** 31)) << 32n) | BigInt(Math.floor(Math.random() * 2 ** 32));
}

function metadataText(count: number): string {
  const snapshots: string[] = [];
  const log: string[] = [];
  let parent: bigint | undefined;
  for (let i = 0; i < count; i++) {
    const id = randomId();
    const timestampMs = 1_764_000_000_000 + i * 2_000;
    snapshots.push(JSON.stringify({
      'snapshot-id': `@${id}@`,
      ...(parent === undefined ? {} : { 'parent-snapshot-id': `@${parent}@` }),
      'sequence-number': i + 1,
      'timestamp-ms': timestampMs,
      'manifest-list': `s3://lakegraph/warehouse/graph/edges/metadata/snap-${id}-1-0b7c1e2a-1111-2222-3333-444455556666.avro`,
      summary: { operation: 'append', 'added-data-files': '8', 'added-records': '12000', 'lakegraph.offsets.app.playback': JSON.stringify({ 0: i * 100, 1: i * 100, 2: i * 100, 3: i * 100 }) },
      'schema-id': 0,
    }));
    log.push(JSON.stringify({ 'snapshot-id': `@${id}@`, 'timestamp-ms': timestampMs }));
    parent = id;
  }
  // Ids as bare integer literals, as a metadata file holds them.
  return `{"format-version":2,"current-snapshot-id":${parent},"snapshots":[${snapshots.join(',')}],"snapshot-log":[${log.join(',')}]}`.replace(/"@(\d+)@"/g, '$1');
}

function medianMs(parse: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    parse();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
}

const text = metadataText(snapshotCount);
const loadAtStart = loadavg()[0] as number;
const plain = medianMs(() => JSON.parse(text));
const lossless = medianMs(() => parseJson(text));
console.log(`${snapshotCount} snapshots, ${(text.length / 1e6).toFixed(1)} MB; median of ${rounds}: JSON.parse ${plain.toFixed(0)} ms, parseJson ${lossless.toFixed(0)} ms; 1-min load ${loadAtStart.toFixed(2)} → ${(loadavg()[0] as number).toFixed(2)}`);
