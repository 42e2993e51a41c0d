/**
 * AWS Signature Version 4 for a single HTTP request (header authorization, not presigned
 * URLs): the whole of what an S3 call needs, on node:crypto, so the lake carries no AWS SDK.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials (STS) come with one; it is sent and signed as x-amz-security-token. */
  readonly sessionToken?: string;
}

export interface RequestToSign {
  readonly method: string;
  /** `host[:port]` exactly as the Host header will carry it. */
  readonly host: string;
  /** The path already percent-encoded as it goes on the wire (see `encodeUriPath`). */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Headers to sign besides host and x-amz-date (any case; values are trimmed). */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
}

export interface SigningScope {
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
}

export const EMPTY_PAYLOAD_SHA256 = sha256Hex(new Uint8Array(0));

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `20150830T123600Z`: the x-amz-date form of an instant. */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The headers to add to the request (x-amz-date, x-amz-security-token when there is a
 * session token, and authorization); the caller sends them along with `request.headers`.
 */
export function signRequest(request: RequestToSign, scope: SigningScope, at: Date): Record<string, string> {
  const date = amzDate(at);
  const added: Record<string, string> = { 'x-amz-date': date };
  if (scope.credentials.sessionToken) added['x-amz-security-token'] = scope.credentials.sessionToken;
  const signed = new Map<string, string>([['host', request.host]]);
  for (const [name, value] of Object.entries({ ...request.headers, ...added })) signed.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '));
  const names = [...signed.keys()].sort();
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery(request.query),
    names.map((name) => `${name}:${signed.get(name)}\n`).join(''),
    names.join(';'),
    request.payloadHash,
  ].join('\n');
  const credentialScope = `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = hmac(signingKey(scope, date.slice(0, 8)), stringToSign).toString('hex');
  added.authorization =
    `AWS4-HMAC-SHA256 Credential=${scope.credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return added;
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `/` kept when `keepSlash`. */
export function uriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** The query string in canonical order; the same string goes on the wire, so they cannot differ. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function signingKey(scope: SigningScope, day: string): Buffer {
  const dateKey = hmac(`AWS4${scope.credentials.secretAccessKey}`, day);
  return hmac(hmac(hmac(dateKey, scope.region), scope.service), 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
