import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommitConflictError, type TableIdentifier } from '../../src/lake/catalog/catalog.js';
import { readManifest } from '../../src/lake/manifest/manifest-file.js';
import { readManifestList } from '../../src/lake/manifest/manifest-list.js';
import { eq } from '../../src/lake/scan/filter.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { formatPartitionSpec, parsePartitionSpecText, PartitionSpecSyntaxError } from '../../src/lake/spec/partition-spec-text.js';
import { currentSnapshot, defaultPartitionSpec } from '../../src/lake/spec/table-metadata.js';
import { applyTransform, parseTransform } from '../../src/lake/spec/transforms.js';
import { bindPartitionSpec, evolvePartitionSpec } from '../../src/lake/table/evolve-partition-spec.js';
import { Table } from '../../src/lake/table/table.js';
import { EDGES_PARTITION_SPEC, EDGES_SCHEMA } from '../../src/lake/tables.js';
import { answerLosingCatalog, edgeDataFile, scratchCatalogs } from './lake-fixtures.js';

const newCatalog = await scratchCatalogs('lake-partition-evolution-');
const EDGES: TableIdentifier = { namespace: ['graph'], name: 'edges' };
const createEdges = () => Table.ensure(newCatalog(), EDGES, { schema: EDGES_SCHEMA, partitionSpec: EDGES_PARTITION_SPEC });
const parse = (text: string) => parsePartitionSpecText(text, EDGES_SCHEMA);
const SIXTEEN = parse('day(last_seen), bucket(16, src_id)');

describe('partition spec text', () => {
  it('reads transforms with or without spaces, identity bare or named', () => {
    assert.deepEqual(parse('day(last_seen),bucket(16,src_id)'), SIXTEEN);
    assert.deepEqual(SIXTEEN, [{ column: 'last_seen', transform: 'day' }, { column: 'src_id', transform: 'bucket[16]' }]);
    assert.deepEqual(parse(' hour( first_seen ) , bucket(4, event_count)'), [{ column: 'first_seen', transform: 'hour' }, { column: 'event_count', transform: 'bucket[4]' }]);
    assert.deepEqual(parsePartitionSpecText('partition', { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'partition', type: 'int', required: true }] }), [
      { column: 'partition', transform: 'identity' },
    ]);
  });

  it('prints a spec the way it is written', () => {
    assert.equal(formatPartitionSpec(EDGES_PARTITION_SPEC, EDGES_SCHEMA), 'day(last_seen), bucket(8, src_id)');
  });

  it('says what is wrong with a spec it cannot use', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty partition spec/],
      ['bucket(16,src_id', /cannot read "bucket\(16,src_id"/],
      ['month(last_seen)', /cannot read/],
      ['day(src_id)', /day does not apply to string column "src_id"/],
      ['src_id', /identity does not apply to string column/],
      ['bucket(0, src_id)', /positive 32-bit int/],
      ['day(seen)', /no column "seen"; columns: edge_type/],
      ['bucket(8, src_id), bucket(16, src_id)', /"src_id" is partitioned by bucket twice/],
      ['day(last_seen),,bucket(8, src_id)', /cannot read ""/],
    ];
    for (const [text, message] of cases) assert.throws(() => parse(text), (e: Error) => e instanceof PartitionSpecSyntaxError && message.test(e.message), text);
  });
});

describe('partition spec evolution', () => {
  it('keeps the ids of unchanged fields, numbers new ones after the last, and reuses an identical earlier spec', async () => {
    const table = await createEdges();
    const bound = bindPartitionSpec(table.metadata, SIXTEEN);
    assert.deepEqual(bound, {
      'spec-id': 1,
      fields: [
        { 'source-id': 7, 'field-id': 1000, name: 'last_seen_day', transform: 'day' },
        { 'source-id': 3, 'field-id': 1002, name: 'src_id_bucket_16', transform: 'bucket[16]' },
      ],
    });
    const dry = await evolvePartitionSpec(table, SIXTEEN, { dryRun: true });
    assert.equal(dry.kind, 'added');
    assert.equal((await table.refresh())['default-spec-id'], 0, 'a dry run commits nothing');

    const change = await evolvePartitionSpec(table, SIXTEEN);
    assert.equal(change.kind, 'added');
    const metadata = await table.refresh();
    assert.deepEqual(defaultPartitionSpec(metadata), bound);
    assert.equal(metadata['last-partition-id'], 1002);
    assert.equal(metadata['partition-specs'].length, 2);
    assert.equal((await evolvePartitionSpec(table, SIXTEEN)).kind, 'unchanged');

    const back = await evolvePartitionSpec(table, parse('day(last_seen), bucket(8, src_id)'));
    assert.equal(back.kind, 'existing');
    assert.equal((await table.refresh())['default-spec-id'], 0);
    assert.equal(table.metadata['partition-specs'].length, 2, 'no third spec for an identical one');
  });

  it('refuses a commit whose default spec or last partition id moved', async () => {
    const table = await createEdges();
    const stale = table.metadata;
    await evolvePartitionSpec(table, SIXTEEN);
    const again = { 'spec-id': 1, fields: [...EDGES_PARTITION_SPEC.fields.slice(0, 1)] };
    await assert.rejects(
      table.catalog.commitTable(EDGES, {
        requirements: [{ type: 'assert-default-spec-id', 'default-spec-id': stale['default-spec-id'] }],
        updates: [{ action: 'add-spec', spec: again }, { action: 'set-default-spec', 'spec-id': -1 }],
      }),
      (e: Error) => e instanceof CommitConflictError && /default partition spec is 1, expected 0/.test(e.message),
    );
    await assert.rejects(
      table.catalog.commitTable(EDGES, {
        requirements: [{ type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': stale['last-partition-id'] }],
        updates: [{ action: 'add-spec', spec: again }, { action: 'set-default-spec', 'spec-id': -1 }],
      }),
      (e: Error) => e instanceof CommitConflictError && /last assigned partition id is 1002, expected 1001/.test(e.message),
    );
  });

  it('finds a commit whose answer was lost by the default spec it set', async () => {
    const created = await createEdges();
    const change = await evolvePartitionSpec(new Table(answerLosingCatalog(created.catalog), EDGES, created.metadata), SIXTEEN);
    assert.equal(change.kind, 'added');
    assert.equal(change.metadata['default-spec-id'], 1);
  });

  it('commits files of both specs in one manifest per spec (a stale writer too, rebased after a conflict), and plans each file by its own spec', async () => {
    const table = await createEdges();
    // A writer that loaded the table before the change, holding files of spec 0.
    const writer = await Table.load(table.catalog, EDGES);
    await evolvePartitionSpec(table, SIXTEEN);
    const member = 'p-42';
    const b8 = applyTransform(parseTransform('bucket[8]'), 'string', member) as number;
    const b16 = applyTransform(parseTransform('bucket[16]'), 'string', member) as number;
    const day = 20418;
    const at = (name: string) => join(table.metadata.location, 'data', name);
    const inSpec1 = (file: DataFile): DataFile => ({ ...file, specId: 1 });
    // Another writer commits first: the stale writer's commit conflicts, reloads and lands on top.
    await table.newAppend().addFiles([inSpec1(edgeDataFile(at('other-miss'), [day, (b16 + 2) % 16], 3n, ['a', 'z']))]).commit();
    const stale = edgeDataFile(at('stale-hit'), [day, b8], 4n, ['a', 'z']);
    await writer.newAppend().addFiles([stale]).commit();
    assert.equal(currentSnapshot(writer.metadata)!['parent-snapshot-id'], currentSnapshot(table.metadata)!['snapshot-id'], 'rebased onto the other commit');
    assert.equal(writer.metadata['default-spec-id'], 1, 'the reloaded metadata has spec 1, so its next files take it');

    // One commit of files written before and after the change (a job whose window straddled it).
    const old = [edgeDataFile(at('old-hit'), [day, b8], 5n, ['a', 'z']), edgeDataFile(at('old-miss'), [day, (b8 + 1) % 8], 6n, ['a', 'z'])];
    const fresh = [inSpec1(edgeDataFile(at('new-hit'), [day, b16], 7n, ['a', 'z'])), inSpec1(edgeDataFile(at('new-miss'), [day, (b16 + 1) % 16], 8n, ['a', 'z']))];
    await writer.newAppend().addFiles([...old, ...fresh]).commit();
    const snapshot = currentSnapshot(writer.metadata)!;
    const added = (await readManifestList(table.io, snapshot['manifest-list'])).filter((m) => m.addedSnapshotId === snapshot['snapshot-id']);
    assert.deepEqual(added.map((m) => m.partitionSpecId).sort(), [0, 1]);
    for (const manifest of added) {
      const files = (await readManifest(table.io, manifest)).map((e) => e.dataFile);
      assert.deepEqual(files.map((f) => f.filePath), (manifest.partitionSpecId === 0 ? old : fresh).map((f) => f.filePath));
      assert.ok(files.every((f) => f.specId === manifest.partitionSpecId));
    }

    const plan = await planFiles(table.io, await table.refresh(), { filter: [eq('src_id', member)] });
    assert.deepEqual(plan.files.map((f) => f.filePath).sort(), [at('new-hit'), at('old-hit'), at('stale-hit')]);
    assert.equal((await planFiles(table.io, table.metadata)).files.length, 6);
  });
});
