import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJson, stringifyJson, untagBigIntsInPlace, withTaggedBigInts } from '../../src/common/lossless-json.js';
import { int64JsonFetch } from '../../src/lake/catalog/int64-json-fetch.js';

const PYICEBERG_ID = '6342010702535090087';
const MAX_LONG = '9223372036854775807';
const MIN_LONG = '-9223372036854775808';

describe('parseJson', () => {
  it('keeps integers beyond 2^53−1 exact as bigints, and safe ones as numbers', () => {
    const parsed = parseJson(`{"snapshot-id":${PYICEBERG_ID},"max":${MAX_LONG},"min":${MIN_LONG},"safe":9007199254740991,"seq":7,"list":[1,${PYICEBERG_ID}]}`);
    assert.deepEqual(parsed, {
      'snapshot-id': 6342010702535090087n,
      max: 9223372036854775807n,
      min: -9223372036854775808n,
      safe: Number.MAX_SAFE_INTEGER,
      seq: 7,
      list: [1, 6342010702535090087n],
    });
  });

  it('leaves digits inside strings, fractions and exponents alone', () => {
    const text = `{"manifest-list":"s3://b/snap-${PYICEBERG_ID}-1.avro","quoted":"a \\"${PYICEBERG_ID}\\" b","frac":1.2345678901234567890,"exp":1e1234567890123456,"neg":-0.1234567890123456}`;
    const parsed = parseJson(text) as Record<string, unknown>;
    assert.equal(parsed['manifest-list'], `s3://b/snap-${PYICEBERG_ID}-1.avro`);
    assert.equal(parsed['quoted'], `a "${PYICEBERG_ID}" b`);
    assert.equal(parsed['frac'], 1.2345678901234567);
    assert.equal(parsed['exp'], Number.POSITIVE_INFINITY);
    assert.equal(parsed['neg'], -0.1234567890123456);
  });

  it('is JSON.parse for text without big integers, invalid text included', () => {
    const text = '{"a":[1,2.5,"x",null,true],"b":{"c":-3}}';
    assert.deepEqual(parseJson(text), JSON.parse(text));
    assert.throws(() => parseJson('{"a":'), SyntaxError);
  });
});

describe('stringifyJson', () => {
  it('writes bigints as integer literals, digit for digit, and round-trips through parseJson', () => {
    const value = { id: 6342010702535090087n, small: 42n, max: 9223372036854775807n, min: -9223372036854775808n, name: 'x', n: 1.5 };
    const text = stringifyJson(value);
    assert.equal(text, `{"id":${PYICEBERG_ID},"small":42,"max":${MAX_LONG},"min":${MIN_LONG},"name":"x","n":1.5}`);
    assert.deepEqual(parseJson(text), { ...value, small: 42 });
    assert.equal(stringifyJson({ id: 1n }, 2), '{\n  "id": 1\n}');
  });
});

describe('untagBigIntsInPlace', () => {
  it('turns tags into bigints in the objects and arrays it is given, without copying them', () => {
    const snapshot = { 'snapshot-id': `\u0000int64:${PYICEBERG_ID}`, summary: { operation: 'append' } };
    const metadata = { snapshots: [snapshot], refs: { main: { 'snapshot-id': 7 } } };
    assert.equal(untagBigIntsInPlace(metadata), metadata);
    assert.equal(metadata.snapshots[0], snapshot);
    assert.deepEqual(metadata, { snapshots: [{ 'snapshot-id': 6342010702535090087n, summary: { operation: 'append' } }], refs: { main: { 'snapshot-id': 7 } } });
  });
});

describe('int64JsonFetch (the fetch iceberg-js is given)', () => {
  it('sends tagged bigints as integer literals and hands iceberg-js big integers as tags', async () => {
    let sent: string | undefined;
    const server: typeof fetch = async (_input, init) => {
      sent = init?.body as string;
      return new Response(`{"metadata":{"current-snapshot-id":${PYICEBERG_ID},"last-sequence-number":3}}`, {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const requirement = { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 6342010702535090087n };
    // What iceberg-js does with a body: JSON.stringify it, then JSON.parse the answer.
    const response = await int64JsonFetch(server)('http://catalog/v1/x', { method: 'POST', body: JSON.stringify(withTaggedBigInts(requirement)) });
    assert.equal(sent, `{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${PYICEBERG_ID}}`);
    const received = untagBigIntsInPlace(JSON.parse(await response.text()));
    assert.deepEqual(received, { metadata: { 'current-snapshot-id': 6342010702535090087n, 'last-sequence-number': 3 } });
  });

  it('passes non-JSON and empty answers through untouched', async () => {
    const noContent = await int64JsonFetch(async () => new Response(null, { status: 204 }))('http://catalog/v1/x');
    assert.equal(noContent.status, 204);
    const text = await int64JsonFetch(async () => new Response(PYICEBERG_ID, { headers: { 'content-type': 'text/plain' } }))('http://catalog/v1/x');
    assert.equal(await text.text(), PYICEBERG_ID);
  });
});
