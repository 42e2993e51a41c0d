import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { between, BoundFilter, eq, isIn, type Predicate } from '../../src/lake/scan/filter.js';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { serializeSingleValue } from '../../src/lake/spec/single-value.js';
import { applyTransform, parseTransform } from '../../src/lake/spec/transforms.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { edgeDataFile } from './lake-fixtures.js';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const bucket = (id: string) => applyTransform(parseTransform('bucket[8]'), 'string', id) as number;
const day = (iso: string) => applyTransform(parseTransform('day'), 'timestamptz', micros(iso)) as number;

/** A file of member `id` on the day of `iso`, whose last_seen spans [from, to]. */
function fileOf(id: string, from: string, to: string): DataFile {
  const file = edgeDataFile(`/w/${id}-${from}`, [day(from), bucket(id)], 10n, [id, id]);
  const lower = new Map(file.metrics.lowerBounds).set(7, serializeSingleValue('timestamptz', micros(from)));
  const upper = new Map(file.metrics.upperBounds).set(7, serializeSingleValue('timestamptz', micros(to)));
  return { ...file, metrics: { ...file.metrics, lowerBounds: lower, upperBounds: upper } };
}

const bind = (...filter: Predicate[]) =>
  new BoundFilter(filter, EDGES_SCHEMA, EDGES_PARTITION_SPEC);

describe('BoundFilter on files', () => {
  const morning = fileOf('p-1', '2025-11-26T08:00:00Z', '2025-11-26T08:00:30Z');
  const evening = fileOf('p-1', '2025-11-26T20:00:00Z', '2025-11-26T20:00:30Z');
  const yesterday = fileOf('p-1', '2025-11-25T20:00:00Z', '2025-11-25T20:00:30Z');
  const other = fileOf('p-2', '2025-11-26T08:00:00Z', '2025-11-26T08:00:30Z');
  const files = [morning, evening, yesterday, other];
  const matching = (filter: BoundFilter) => files.filter((f) => filter.mayMatchFile(f));

  it('prunes by member through the bucket and the src_id bounds', () => {
    assert.deepEqual(matching(bind(eq('src_id', 'p-1'))), [morning, evening, yesterday]);
    assert.deepEqual(matching(bind(isIn('src_id', ['p-2', 'p-9']))), [other]);
  });

  it('prunes a time window by day partition and then by last_seen bounds', () => {
    const window = bind(eq('src_id', 'p-1'), between('last_seen', micros('2025-11-26T19:55:00Z')));
    assert.deepEqual(matching(window), [evening]);
    const closed = bind(between('last_seen', micros('2025-11-25T00:00:00Z'), micros('2025-11-25T23:59:59Z')));
    assert.deepEqual(matching(closed), [yesterday]);
  });

  it('keeps a file whose bounds are unknown', () => {
    const bare = { ...morning, metrics: { ...morning.metrics, lowerBounds: new Map(), upperBounds: new Map() } };
    assert.ok(bind(eq('dst_id', 't-1')).mayMatchFile(bare));
  });
});

describe('BoundFilter on manifests', () => {
  const summary = (lowDay: number, highDay: number) => [
    { containsNull: false, containsNan: null, lowerBound: serializeSingleValue('date', lowDay), upperBound: serializeSingleValue('date', highDay) },
    { containsNull: false, containsNan: null, lowerBound: serializeSingleValue('int', 0), upperBound: serializeSingleValue('int', 7) },
  ];

  it('skips manifests whose day range misses the window', () => {
    const filter = bind(between('last_seen', micros('2025-11-26T10:00:00Z')));
    assert.equal(filter.mayMatchManifest(summary(day('2025-11-20T00:00:00Z'), day('2025-11-25T00:00:00Z'))), false);
    assert.equal(filter.mayMatchManifest(summary(day('2025-11-20T00:00:00Z'), day('2025-11-26T00:00:00Z'))), true);
  });
});
