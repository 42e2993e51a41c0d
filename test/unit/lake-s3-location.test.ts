import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileIOFor } from '../../src/lake/io/file-io-for.js';
import { LocalFileIO } from '../../src/lake/io/local-file-io.js';
import { S3FileIO } from '../../src/lake/io/s3-file-io.js';
import { formatS3Location, isS3Location, parseS3Location } from '../../src/lake/io/s3-location.js';

const STORE = { 's3.endpoint': 'http://127.0.0.1:9', 's3.access-key-id': 'k', 's3.secret-access-key': 's' };

describe('S3 locations', () => {
  it('parse s3, s3a and s3n alike and keep the scheme', () => {
    assert.deepEqual(parseS3Location('s3://lakegraph/warehouse/t/data/a b.parquet'), { scheme: 's3', bucket: 'lakegraph', key: 'warehouse/t/data/a b.parquet' });
    assert.deepEqual(parseS3Location('s3a://b/k'), { scheme: 's3a', bucket: 'b', key: 'k' });
    assert.deepEqual(parseS3Location('s3n://b'), { scheme: 's3n', bucket: 'b', key: '' });
    assert.equal(formatS3Location(parseS3Location('s3a://b/x/y')), 's3a://b/x/y');
    assert.equal(isS3Location('gs://b/k'), false);
    assert.throws(() => parseS3Location('/tmp/x'), /not an S3 location: \/tmp\/x/);
  });

  it('choose the FileIO by scheme, one S3FileIO per configuration', () => {
    assert.ok(fileIOFor('/tmp/warehouse') instanceof LocalFileIO);
    assert.ok(fileIOFor('file:/tmp/warehouse') instanceof LocalFileIO);
    const s3 = fileIOFor('s3://lakegraph/warehouse', STORE);
    assert.ok(s3 instanceof S3FileIO);
    assert.equal(fileIOFor('s3a://lakegraph/other', STORE), s3);
    assert.notEqual(fileIOFor('s3://lakegraph/warehouse', { ...STORE, 's3.secret-access-key': 't' }), s3);
    assert.throws(() => fileIOFor('gs://bucket/warehouse'), /no FileIO for gs:\/\/ locations \(gs:\/\/bucket\/warehouse\); supported: local paths, file:, s3:\/\/, s3a:\/\/, s3n:\/\//);
  });
});
