/**
 * The graph queries over HTTP (on 127.0.0.1 unless told another address):
 *
 *   GET  /v1/query/<name>?<options>   options named like the CLI flags, without the dashes
 *   POST /v1/query/<name>             the same options as a JSON object of strings
 *   GET  /healthz                     200 while the session answers
 *   GET  /metrics                     Prometheus text: the service's figures and the process's
 *   GET  /v1/watch/member-activity    one account's edges as Server-Sent Events (watch-route.ts)
 *
 * With a token, every route but /healthz answers 401 unless the request carries it as
 * `Authorization: Bearer <token>` (docs/CONTRACTS.md §4.3); with a certificate, HTTPS.
 * Bad input never reaches DuckDB: names and options are validated (graph-request.ts) and
 * answered 4xx with the reasons; bodies are capped; a query that runs past the timeout is
 * interrupted and answered 503, and the service goes on with the next request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { ProcessMetrics } from '../../common/process-metrics.js';
import { AsOfError } from '../as-of.js';
import { isQueryName, parseGraphRequest, QUERY_NAMES, type GraphRequest } from '../graph-request.js';
import type { GraphResult } from '../graph-result.js';
import type { PastSessions } from '../past-sessions.js';
import { NeighbourhoodTooLargeError } from '../index/indexed-edges.js';
import type { QuerySession } from '../query-session.js';
import { BearerToken } from './bearer-token.js';
import { HttpError, send } from './http-answer.js';
import { QueryMetrics } from './query-metrics.js';
import { DEFAULT_MAX_WATCHERS, WATCH_ROUTE, WatchRoute } from './watch-route.js';

export interface QueryServerOptions {
  readonly session: QuerySession;
  /** Answers `as_of=` requests; without it they are refused. */
  readonly past?: PastSessions;
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly queryTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** Required of every request but /healthz when given. */
  readonly authToken?: string;
  /** PEM certificate (chain) and key: answer HTTPS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Open watch streams at most; more are answered 503. */
  readonly maxWatchers?: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
/** Beyond the query timeout, time for the 503 of a query that ran out to be written. */
const CLOSE_MARGIN_MS = 1_000;
/** Time a client gets to send its request headers; never more than the whole request gets (node refuses that). */
const HEADERS_TIMEOUT_MS = 10_000;

/** `edge-type`, `edge_type` and `edgetype` all name the CLI's --edge-type. */
const canonical = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
/** Not a query option: which snapshots to ask (docs/CONTRACTS.md §7). */
const AS_OF_OPTION = 'as-of';
const OPTION_NAMES = ['account', 'profile', 'node', 'edge-type', 'hops', 'fanout', 'from', 'to', 'max-hops', 'since', 'at', AS_OF_OPTION];
const OPTION_BY_CANONICAL = new Map(OPTION_NAMES.map((n) => [canonical(n), n]));

function optionsOf(entries: Iterable<[string, unknown]>): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of entries) {
    const name = OPTION_BY_CANONICAL.get(canonical(key));
    if (name === undefined) throw new HttpError(400, `unknown option "${key.slice(0, 64)}"; options: ${OPTION_NAMES.join(', ')}`);
    if (name in options) throw new HttpError(400, `option ${name} given twice`);
    if (typeof value !== 'string' && typeof value !== 'number') throw new HttpError(400, `option ${name} must be a string`);
    options[name] = String(value);
  }
  return options;
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `body of ${declared} bytes exceeds the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `body exceeds the ${limit}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function bodyOptions(request: IncomingMessage, limit: number): Promise<Record<string, string>> {
  const text = await readBody(request, limit);
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object of options');
  return optionsOf(Object.entries(parsed));
}

/** The same answer whatever was wrong with the credentials: it tells a guesser nothing. */
const UNAUTHORIZED = { error: 'unauthorized: send the token as "Authorization: Bearer <token>"' };

export class QueryServer {
  readonly metrics = new QueryMetrics();
  private readonly processMetrics = new ProcessMetrics();
  private server: Server | undefined;
  private closing = false;
  private readonly token: BearerToken | undefined;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly watch: WatchRoute;

  constructor(private readonly options: QueryServerOptions) {
    this.timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.token = options.authToken === undefined ? undefined : new BearerToken(options.authToken);
    this.watch = new WatchRoute(options.session, options.maxWatchers ?? DEFAULT_MAX_WATCHERS);
  }

  /** Resolves with the port it listens on (useful with port 0). */
  async listen(): Promise<number> {
    const requestTimeout = this.timeoutMs * 2;
    const settings = { maxHeaderSize: 16 * 1024, requestTimeout, headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout) };
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const { tls } = this.options;
    const server = tls === undefined ? createServer(settings, handler) : createHttpsServer({ ...settings, ...tls }, handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', resolve);
    });
    this.processMetrics.start();
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /**
   * Stops taking connections and lets the requests under way finish, so a rolling restart
   * answers every query it accepted; one still running past the query timeout (it has been
   * answered 503 by then) or a client holding its connection open is cut off after it.
   */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.processMetrics.stop();
    this.closing = true;
    this.watch.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cutOff = setTimeout(() => server.closeAllConnections(), this.timeoutMs + CLOSE_MARGIN_MS);
    await closed;
    clearTimeout(cutOff);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A keep-alive connection whose answer went out while closing is not needed any more.
    response.once('finish', () => this.closing && this.server?.closeIdleConnections());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname;
    try {
      if (route === '/healthz') return send(response, 200, { status: 'ok', ...this.options.session.stats() });
      if (this.token !== undefined && !this.token.admits(request, url)) return send(response, 401, UNAUTHORIZED, { 'www-authenticate': 'Bearer' });
      if (route === '/metrics') return send(response, 200, this.metrics.render(this.options.session.stats()) + this.watch.renderMetrics() + this.processMetrics.render());
      if (route === WATCH_ROUTE) return await this.watch.handle(request, url, response);
      const match = /^\/v1\/query\/([^/]+)$/.exec(route);
      if (match === null) throw new HttpError(404, `no route ${route.slice(0, 64)}; try /v1/query/<${QUERY_NAMES.join('|')}>, ${WATCH_ROUTE}, /healthz, /metrics`);
      await this.answerQuery(decodeURIComponent(match[1]!), request, url, response);
    } catch (error) {
      if (error instanceof HttpError) return send(response, error.status, { error: error.message, ...(error.issues ? { issues: error.issues } : {}) });
      send(response, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async answerQuery(name: string, request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
    if (!isQueryName(name)) throw new HttpError(404, `unknown query "${name.slice(0, 64)}"; queries: ${QUERY_NAMES.join(', ')}`);
    const started = performance.now();
    let status = 200;
    try {
      if (request.method !== 'GET' && request.method !== 'POST') throw new HttpError(405, 'use GET (or POST with a JSON body)');
      const options = request.method === 'POST' ? await bodyOptions(request, this.maxBodyBytes) : optionsOf(url.searchParams.entries());
      if (request.method === 'GET') await readBody(request, this.maxBodyBytes);
      const { [AS_OF_OPTION]: asOf, ...queryOptions } = options;
      const parsed = parseGraphRequest(name, queryOptions, Date.now());
      if (!parsed.ok) throw new HttpError(400, `invalid ${name} request`, parsed.issues);
      const result = await this.answer(parsed.request, asOf).catch((error: unknown) => {
        if (error instanceof NeighbourhoodTooLargeError) throw new HttpError(422, error.message);
        if (error instanceof AsOfError) throw new HttpError(404, `as_of: ${error.message}`);
        throw error;
      });
      send(response, 200, result);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      throw error;
    } finally {
      this.metrics.observe(name, status, (performance.now() - started) / 1000);
    }
  }

  /** Answers over the live session, or a past one for `as_of`; a query past the timeout is interrupted in the session running it. */
  private answer(request: GraphRequest, asOf: string | undefined): Promise<GraphResult> {
    const { session, past } = this.options;
    if (asOf === undefined) return this.withTimeout(session.graphQuery(request), () => session.interrupt());
    if (past === undefined) throw new HttpError(400, 'this service answers no as_of requests');
    let running: QuerySession | undefined;
    const work = past.sessionAt(asOf).then((pastSession) => {
      running = pastSession;
      return pastSession.graphQuery(request);
    });
    return this.withTimeout(work, () => running?.interrupt());
  }

  private async withTimeout<T>(work: Promise<T>, interrupt: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        interrupt();
        reject(new HttpError(503, `query did not finish within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
