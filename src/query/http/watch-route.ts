/**
 * GET /v1/watch/member-activity?account=A[&since=D] (docs/CONTRACTS.md §7): one account's
 * member-activity as Server-Sent Events. First a `snapshot` event (the member-activity
 * answer for the window), then an `edge` event per change to one of the account's edges,
 * each with an `id:`; a `Last-Event-ID` header the account's feed still holds resumes
 * after that event instead (watch/member-feed.ts). A comment line every HEARTBEAT_MS keeps
 * proxies from timing the stream out and finds clients that are gone.
 *
 * Watchers beyond the bound get 503. Frames are written without waiting for the client:
 * one whose unsent output passes MAX_BUFFERED_BYTES is cut off, so a slow reader costs the
 * tail nothing; it may come back with its Last-Event-ID.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseGraphRequest } from '../graph-request.js';
import type { QuerySession } from '../query-session.js';
import { MemberFeeds } from '../watch/member-feeds.js';
import { HttpError } from './http-answer.js';

export const WATCH_ROUTE = '/v1/watch/member-activity';
export const DEFAULT_MAX_WATCHERS = 100;
export const HEARTBEAT_MS = 5_000;
/** Output a watcher may leave unread before it is cut off. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
const WATCH_OPTIONS = ['account', 'since'];

export class WatchRoute {
  private readonly feeds: MemberFeeds;
  private readonly open = new Set<ServerResponse>();
  private slowDropped = 0;

  constructor(
    session: QuerySession,
    private readonly maxWatchers: number,
  ) {
    // Feeds of watchers that dropped linger: room for as many again.
    this.feeds = new MemberFeeds(session, 2 * maxWatchers);
  }

  /** Prometheus text: open watch streams, and those cut off for reading too slowly. */
  renderMetrics(): string {
    return [
      '# HELP lakegraph_watchers Open watch streams (GET /v1/watch/member-activity).',
      '# TYPE lakegraph_watchers gauge',
      `lakegraph_watchers ${this.open.size}`,
      '# HELP lakegraph_watchers_dropped_total Watch streams cut off because the client left too much unread.',
      '# TYPE lakegraph_watchers_dropped_total counter',
      `lakegraph_watchers_dropped_total ${this.slowDropped}`,
      '',
    ].join('\n');
  }

  async handle(request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET') throw new HttpError(405, 'use GET');
    const options: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      if (!WATCH_OPTIONS.includes(name)) throw new HttpError(400, `unknown option "${name.slice(0, 64)}"; options: ${WATCH_OPTIONS.join(', ')}`);
      if (name in options) throw new HttpError(400, `option ${name} given twice`);
      options[name] = value;
    }
    if (options['account'] === undefined) throw new HttpError(400, 'give account=<account id>');
    const parsed = parseGraphRequest('member-activity', options, Date.now());
    if (!parsed.ok) throw new HttpError(400, 'invalid watch request', parsed.issues);
    if (this.open.size >= this.maxWatchers) throw new HttpError(503, `${this.maxWatchers} watchers already (serve --max-watchers); try again later`);
    const { since } = parsed.request;
    const lastEventId = request.headers['last-event-id'];

    this.open.add(response);
    let heartbeat: NodeJS.Timeout | undefined;
    let unsubscribe = () => {};
    response.once('close', () => {
      clearInterval(heartbeat);
      this.open.delete(response);
      unsubscribe();
    });
    const subscriber = {
      start: (frames: readonly string[]) => {
        if (response.destroyed) return; // gone while its feed opened: 'close' has run already
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
        for (const frame of frames) this.write(response, frame);
        heartbeat = setInterval(() => this.write(response, ': heartbeat\n\n'), HEARTBEAT_MS);
      },
      write: (frame: string) => this.write(response, frame),
    };
    unsubscribe = await this.feeds.subscribe(options['account'], since, typeof lastEventId === 'string' ? lastEventId : undefined, subscriber);
    if (response.destroyed) unsubscribe();
  }

  /** Ends every stream and closes the feeds (the service stops). */
  close(): void {
    for (const response of this.open) response.end();
    this.feeds.close();
  }

  private write(response: ServerResponse, frame: string): void {
    if (response.destroyed) return;
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      this.slowDropped++;
      response.destroy();
      return;
    }
    response.write(frame);
  }
}
