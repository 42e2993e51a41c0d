/**
 * The bearer token `serve` requires when it has one (docs/CONTRACTS.md §4.3). Compared as
 * SHA-256 digests with timingSafeEqual: equal lengths whatever was sent, and the time taken
 * says nothing about how much of the token a guess got right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Query-string names clients use for tokens; a token there ends up in access logs and browser history, so it is refused. */
const QUERY_STRING_TOKENS = ['access_token', 'token'];

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export class BearerToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = digest(token);
  }

  /** Whether the request carries the token in its Authorization header, and none in its query string. */
  admits(request: IncomingMessage, url: URL): boolean {
    if (QUERY_STRING_TOKENS.some((name) => url.searchParams.has(name))) return false;
    const m = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), this.digest);
  }
}
