import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalFileIO } from '../../src/lake/io/local-file-io.js';
import { decodeAvroContainer } from '../../src/lake/manifest/avro-container.js';
import { readManifest, writeManifest } from '../../src/lake/manifest/manifest-file.js';
import { readManifestList, writeManifestList } from '../../src/lake/manifest/manifest-list.js';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { ManifestEntryStatus } from '../../src/lake/spec/manifest.js';
import { serializeSingleValue } from '../../src/lake/spec/single-value.js';
import { edgeDataFile } from './lake-fixtures.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';

const io = new LocalFileIO();
const dir = await mkdtemp(join(tmpdir(), 'lake-manifests-'));
after(() => rm(dir, { recursive: true, force: true }));

function edgeFile(name: string, day: number, bucket: number, records: bigint): DataFile {
  return edgeDataFile(join(dir, 'data', name), [day, bucket], records);
}

const context = { schema: EDGES_SCHEMA, spec: EDGES_PARTITION_SPEC, snapshotId: 42n, sequenceNumber: 7 };

describe('manifest files', () => {
  it('round-trip entries with inherited and explicit sequence numbers', async () => {
    const added = edgeFile('a.parquet', 20418, 3, 5n);
    const existing = edgeFile('b.parquet', 20417, 0, 2n);
    const deleted = edgeFile('c.parquet', 20419, 7, 9n);
    const location = join(dir, 'm0.avro');
    const manifest = await writeManifest(
      io,
      location,
      [
        { status: ManifestEntryStatus.Added, snapshotId: null, sequenceNumber: null, fileSequenceNumber: null, dataFile: added },
        { status: ManifestEntryStatus.Existing, snapshotId: 11n, sequenceNumber: 3, fileSequenceNumber: 3, dataFile: existing },
        { status: ManifestEntryStatus.Deleted, snapshotId: 42n, sequenceNumber: 5, fileSequenceNumber: 5, dataFile: deleted },
      ],
      context,
    );
    assert.equal(manifest.addedFilesCount, 1);
    assert.equal(manifest.existingFilesCount, 1);
    assert.equal(manifest.deletedFilesCount, 1);
    assert.equal(manifest.addedRowsCount, 5n);
    assert.equal(manifest.existingRowsCount, 2n);
    assert.equal(manifest.deletedRowsCount, 9n);
    assert.equal(manifest.minSequenceNumber, 3, 'the oldest live entry, not the deleted one');
    assert.deepEqual(manifest.partitions[0], {
      containsNull: false,
      containsNan: null,
      lowerBound: serializeSingleValue('date', 20417),
      upperBound: serializeSingleValue('date', 20419),
    });

    const entries = await readManifest(io, manifest);
    assert.deepEqual(
      entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber]),
      [
        [ManifestEntryStatus.Added, 42n, 7, 7],
        [ManifestEntryStatus.Existing, 11n, 3, 3],
        [ManifestEntryStatus.Deleted, 42n, 5, 5],
      ],
    );
    assert.deepEqual(entries[0].dataFile, added);
    assert.deepEqual(entries[2].dataFile, deleted);
  });

  it('carry the spec-required key-value metadata and field ids in the Avro schema', async () => {
    const manifest = await writeManifest(io, join(dir, 'm1.avro'), [], context);
    const { metadata } = decodeAvroContainer(await io.read(manifest.manifestPath));
    assert.deepEqual(JSON.parse(metadata.get('schema')!), EDGES_SCHEMA);
    assert.equal(metadata.get('schema-id'), '0');
    assert.deepEqual(JSON.parse(metadata.get('partition-spec')!), EDGES_PARTITION_SPEC.fields);
    assert.equal(metadata.get('partition-spec-id'), '0');
    assert.equal(metadata.get('format-version'), '2');
    assert.equal(metadata.get('content'), 'data');
    const avroSchema = metadata.get('avro.schema')!;
    for (const attribute of ['"field-id":117', '"field-id":128', '"field-id":1000', '"logicalType":"map"', '"field-id":134']) {
      assert.ok(avroSchema.includes(attribute), `avro schema carries ${attribute}`);
    }
  });
});

describe('manifest lists', () => {
  it('round-trip manifest entries with partition summaries and snapshot metadata', async () => {
    const manifest = await writeManifest(
      io,
      join(dir, 'm2.avro'),
      [{ status: ManifestEntryStatus.Added, snapshotId: 42n, sequenceNumber: null, fileSequenceNumber: null, dataFile: edgeFile('d.parquet', 1, 2, 3n) }],
      context,
    );
    const location = join(dir, 'snap-42.avro');
    const big = { ...manifest, manifestPath: join(dir, 'other.avro'), addedSnapshotId: 6342010702535090087n };
    await writeManifestList(io, location, [manifest, big], { snapshotId: 42n, parentSnapshotId: 41n, sequenceNumber: 7 });
    assert.deepEqual(await readManifestList(io, location), [manifest, big]);
    const { metadata } = decodeAvroContainer(await io.read(location));
    assert.equal(metadata.get('snapshot-id'), '42');
    assert.equal(metadata.get('parent-snapshot-id'), '41');
    assert.equal(metadata.get('sequence-number'), '7');
    assert.equal(metadata.get('format-version'), '2');
  });
});
