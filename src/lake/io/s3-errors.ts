/**
 * What can go wrong talking to an object store, as one-line messages that name the call,
 * the object and what to check — and which of it may pass with time (and is retried).
 */
import { xmlValue } from './s3-xml.js';

/** The store answered, and the answer was a refusal. */
export class S3Error extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** S3's error code (`NoSuchBucket`, `SlowDown`…); the status text when the reply had no body (HEAD). */
    readonly code: string,
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

/** No answer: the connection failed or the request timed out. */
export class S3UnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'S3UnreachableError';
  }
}

/** What the user can do about a refusal, by S3 error code. */
const ADVICE: Record<string, string> = {
  SignatureDoesNotMatch: 'check AWS_SECRET_ACCESS_KEY (or the catalog\'s s3.secret-access-key) for this access key',
  InvalidAccessKeyId: 'check AWS_ACCESS_KEY_ID (or the catalog\'s s3.access-key-id): the store does not know it',
  AccessDenied: 'the credentials are valid but lack permission for this bucket or key',
  ExpiredToken: 'the session token (AWS_SESSION_TOKEN) has expired: get fresh credentials',
  InvalidToken: 'the session token (AWS_SESSION_TOKEN) is not valid for these keys',
  RequestTimeTooSkewed: 'this host\'s clock is off by more than the store allows: sync it',
  AuthorizationHeaderMalformed: 'the region is probably wrong: set AWS_REGION (or s3.region) to the bucket\'s region',
  NoSuchBucket: 'the bucket does not exist: check the location\'s bucket and the endpoint (AWS_ENDPOINT_URL_S3)',
  PermanentRedirect: 'the bucket is in another region: set AWS_REGION (or s3.region) to it',
};

const REFUSAL_STATUSES = new Set([401, 403]);

export function s3ErrorOf(method: string, location: string, status: number, statusText: string, body: string): S3Error {
  const code = xmlValue(body, 'Code') ?? (statusText || `HTTP ${status}`);
  const detail = ADVICE[code] ?? xmlValue(body, 'Message') ?? (REFUSAL_STATUSES.has(status) ? 'check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and their permissions' : '');
  const call = REFUSAL_STATUSES.has(status) ? `S3 refused ${method} ${location}` : `S3 ${method} ${location} failed`;
  return new S3Error(`${call} (${status} ${code})${detail ? `: ${detail}` : ''}`, status, code);
}

/** Codes that mean "try again": throttling, a busy or restarting store, a write race S3 asks to retry. */
const RETRYABLE_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'ConditionalRequestConflict']);

export function isRetryableS3Failure(error: unknown): boolean {
  if (error instanceof S3UnreachableError) return true;
  if (!(error instanceof S3Error)) return false;
  return error.status >= 500 || error.status === 429 || RETRYABLE_CODES.has(error.code);
}
