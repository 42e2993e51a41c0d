/**
 * The SigV4 signer against AWS's published values: the signature test suite
 * (`get-vanilla` and friends; service `service`, keys AKIDEXAMPLE) and the S3 guide's
 * GET-object example with a Range header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amzDate, canonicalQuery, EMPTY_PAYLOAD_SHA256, sha256Hex, signRequest, uriEncode } from '../../src/lake/io/sigv4.js';

const SUITE_SCOPE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
};
const SUITE_TIME = new Date('2015-08-30T12:36:00Z');

function suiteSignature(method: string, path: string, query: [string, string][] = [], body = ''): string {
  const { authorization } = signRequest({ method, host: 'example.amazonaws.com', path, query, headers: {}, payloadHash: sha256Hex(body) }, SUITE_SCOPE, SUITE_TIME);
  assert.match(authorization!, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/service\/aws4_request, SignedHeaders=host;x-amz-date, Signature=/);
  return authorization!.slice(authorization!.lastIndexOf('=') + 1);
}

describe('SigV4 signer', () => {
  it('matches the AWS signature test suite', () => {
    assert.equal(suiteSignature('GET', '/'), '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'); // get-vanilla
    assert.equal(suiteSignature('POST', '/'), '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'); // post-vanilla
    assert.equal(
      suiteSignature('GET', '/', [['Param2', 'value2'], ['Param1', 'value1']]), // get-vanilla-query-order-key-case
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
    assert.equal(suiteSignature('GET', `/${uriEncode('\u1234', true)}`), '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'); // get-utf8
  });

  it("matches the S3 guide's GET object example (Range header, empty-body hash)", () => {
    const headers = signRequest(
      { method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', query: [], headers: { Range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_PAYLOAD_SHA256 }, payloadHash: EMPTY_PAYLOAD_SHA256 },
      { credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, region: 'us-east-1', service: 's3' },
      new Date('2013-05-24T00:00:00Z'),
    );
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
    assert.equal(
      headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('sends and signs a session token', () => {
    const headers = signRequest(
      { method: 'GET', host: 'h', path: '/', query: [], headers: {}, payloadHash: EMPTY_PAYLOAD_SHA256 },
      { ...SUITE_SCOPE, credentials: { ...SUITE_SCOPE.credentials, sessionToken: 'token' } },
      SUITE_TIME,
    );
    assert.equal(headers['x-amz-security-token'], 'token');
    assert.match(headers.authorization!, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
  });

  it('encodes keys and queries the RFC 3986 way S3 expects', () => {
    assert.equal(uriEncode("a b+c/d~e_f.g-h!'()*", true), "a%20b%2Bc/d~e_f.g-h%21%27%28%29%2A");
    assert.equal(uriEncode('a/b'), 'a%2Fb');
    assert.equal(canonicalQuery([['prefix', 'w h/'], ['list-type', '2'], ['uploads', '']]), 'list-type=2&prefix=w%20h%2F&uploads=');
    assert.equal(amzDate(new Date('2026-12-03T09:05:01.999Z')), '20261203T090501Z');
  });
});
