/**
 * iceberg-js against the real Apache Iceberg REST catalog server of infra/local/up:
 * namespaces, and the warehouse location the server hands out: in the local object
 * store's bucket (CONTRACTS §6), where the Node writer can write.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileIOFor } from '../../src/lake/io/file-io-for.js';
import { after, before, describe, it } from 'node:test';
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { assertListening, CATALOG_URI } from '../support/services.js';

const catalog = new IcebergRestCatalog({ baseUrl: CATALOG_URI });
const scratch = { namespace: [`smoke_${randomBytes(4).toString('hex')}`] };

before(() => assertListening(new URL(CATALOG_URI).host));
after(async () => {
  if (await catalog.namespaceExists(scratch)) await catalog.dropNamespace(scratch);
});

describe('iceberg-js against the local REST catalog', () => {
  it('creates namespace graph idempotently and lists it', async () => {
    await catalog.createNamespaceIfNotExists({ namespace: ['graph'] });
    assert.equal(await catalog.createNamespaceIfNotExists({ namespace: ['graph'] }), undefined, 'second call is a no-op');
    const { namespaces } = await catalog.listNamespaces();
    assert.ok(
      namespaces.some((ns) => ns.namespace.join('.') === 'graph'),
      `graph among ${JSON.stringify(namespaces)}`,
    );
  });

  it('places a namespace in the object store bucket, where this process can write', async () => {
    const created = await catalog.createNamespace(scratch, { properties: { owner: 'rest-catalog-smoke' } });
    assert.deepEqual(created.namespace, scratch.namespace);
    const { properties } = await catalog.loadNamespaceMetadata(scratch);
    assert.equal(properties['owner'], 'rest-catalog-smoke');
    const location = properties['location'];
    assert.equal(location, `s3://lakegraph/warehouse/${scratch.namespace[0]}`);
    const probe = `${location}/write-probe`;
    const io = fileIOFor(probe);
    await io.write(probe, 'ok');
    assert.equal(new TextDecoder().decode(await io.read(probe)), 'ok');
    await io.delete(probe);
  });

  it('answers a duplicate create with 409 and a drop with a namespace that is gone', async () => {
    await catalog.createNamespaceIfNotExists(scratch);
    await assert.rejects(catalog.createNamespace(scratch), (err: unknown) => err instanceof IcebergError && err.status === 409);
    await catalog.dropNamespace(scratch);
    assert.equal(await catalog.namespaceExists(scratch), false);
  });
});
