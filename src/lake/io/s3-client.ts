/**
 * One signed S3 REST call at a time: addressing (path-style or virtual
 * host), SigV4 with a signed SHA-256 of the body, a per-request timeout, and retries with
 * backoff while the store is busy or away. No flexible-checksum headers are sent: stores
 * such as S3Proxy answer them with NotImplemented, and the signed body hash already
 * guards the bytes.
 */
import { withRetries, type Backoff } from '../../common/backoff.js';
import { networkFailureReason } from '../../common/error-message.js';
import { httpExchange, keepAliveAgent, type HttpReply, type KeepAliveAgent } from './http-exchange.js';
import type { S3Config } from './s3-config.js';
import { isRetryableS3Failure, s3ErrorOf, S3UnreachableError } from './s3-errors.js';
import { canonicalQuery, EMPTY_PAYLOAD_SHA256, sha256Hex, signRequest, uriEncode } from './sigv4.js';

export interface S3Call {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly bucket: string;
  /** Empty for calls on the bucket itself (listing). */
  readonly key: string;
  readonly query?: ReadonlyArray<readonly [string, string]>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Statuses that answer the call rather than fail it (404 to a HEAD, 412 to a conditional PUT). */
  readonly expected?: readonly number[];
}

export interface S3Reply extends HttpReply {
  /** How many tries it took: a reply after a retry may answer an earlier try's effect. */
  readonly attempts: number;
}

const RETRY_BACKOFF: Backoff = { baseMs: 200, maxMs: 5_000 };

export class S3Client {
  private readonly endpoint: URL;
  private readonly agent: KeepAliveAgent;

  constructor(
    readonly config: S3Config,
    /** Where a retry is reported, one line each. */
    private readonly warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.endpoint = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
    this.agent = keepAliveAgent(this.endpoint);
  }

  async send(call: S3Call): Promise<S3Reply> {
    const location = `s3://${call.bucket}/${call.key}`;
    const startedAt = Date.now();
    let attempts = 0;
    try {
      return await withRetries(
        (attempt) => {
          attempts = attempt;
          return this.attempt(call, location, attempt);
        },
        {
          backoff: RETRY_BACKOFF,
          retryable: isRetryableS3Failure,
          deadlineMs: this.config.retryDeadlineMs,
          onRetry: (error, attempt, delayMs) => this.warn(`lakegraph s3: ${(error as Error).message}; retry ${attempt} in ${Math.round(delayMs)} ms`),
        },
      );
    } catch (error) {
      if (isRetryableS3Failure(error) && attempts > 1) {
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        (error as Error).message += `; gave up after ${attempts} tries in ${seconds} s (retry deadline ${this.config.retryDeadlineMs / 1000} s, LAKEGRAPH_S3_RETRY_DEADLINE)`;
      }
      throw error;
    }
  }

  private async attempt(call: S3Call, location: string, attempt: number): Promise<S3Reply> {
    const url = this.urlOf(call);
    const payloadHash = call.body ? sha256Hex(call.body) : EMPTY_PAYLOAD_SHA256;
    const headers = { ...call.headers, 'x-amz-content-sha256': payloadHash };
    const signature = signRequest(
      { method: call.method, host: url.host, path: url.pathname, query: call.query ?? [], headers, payloadHash },
      { credentials: this.config.credentials, region: this.config.region, service: 's3' },
      new Date(),
    );
    // S3 wants a length on every PUT and POST; node would send an empty one chunked.
    const length: Record<string, string> = call.body || call.method === 'PUT' || call.method === 'POST' ? { 'content-length': String(call.body?.length ?? 0) } : {};
    let reply: HttpReply;
    try {
      reply = await httpExchange(url, { method: call.method, headers: { ...headers, ...signature, ...length }, body: call.body, timeoutMs: this.config.requestTimeoutMs }, this.agent);
    } catch (error) {
      throw new S3UnreachableError(`S3 ${call.method} ${location}: no answer from ${this.endpoint.origin} (${networkFailureReason(error)})`, { cause: error });
    }
    if ((reply.status >= 200 && reply.status < 300) || call.expected?.includes(reply.status)) return { ...reply, attempts: attempt };
    throw s3ErrorOf(call.method, location, reply.status, reply.statusText, reply.body.toString('utf8'));
  }

  private urlOf(call: S3Call): URL {
    const basePath = this.endpoint.pathname.replace(/\/+$/, '');
    const keyPath = call.key === '' ? '' : `/${uriEncode(call.key, true)}`;
    const query = call.query && call.query.length > 0 ? `?${canonicalQuery(call.query)}` : '';
    // Dots in a bucket name break TLS for a virtual host (*.s3.amazonaws.com), so such buckets go path-style.
    if (this.config.pathStyle || call.bucket.includes('.')) {
      return new URL(`${this.endpoint.origin}${basePath}/${uriEncode(call.bucket)}${keyPath || '/'}${query}`);
    }
    return new URL(`${this.endpoint.protocol}//${call.bucket}.${this.endpoint.host}${basePath}${keyPath || '/'}${query}`);
  }
}
