/**
 * Sessions over past snapshots for `serve`'s `as_of=` (docs/CONTRACTS.md §7). Opening one
 * plans each table's files as of a moment, so the few most recently asked moments are
 * kept open: a dashboard polling "yesterday 18:00" pays for planning once.
 */
import type { Catalog } from '../lake/catalog/catalog.js';
import { AS_OF_HELP, AsOfError, asOfMoment, parseAsOf } from './as-of.js';
import type { GraphRequest } from './graph-request.js';
import type { GraphResult } from './graph-result.js';
import { QuerySession } from './query-session.js';

const KEPT_SESSIONS = 4;

export class PastSessions {
  /** By moment, least recently used first. */
  private readonly sessions = new Map<number, Promise<QuerySession>>();

  constructor(private readonly catalog: Catalog) {}

  /** Answers `request` over the graph as of `text`; AsOfError when the text or the lake cannot say. */
  async graphQuery(text: string, request: GraphRequest): Promise<GraphResult> {
    const asOf = parseAsOf(text);
    if (asOf === undefined) throw new AsOfError(`"${text.slice(0, 64)}" is not ${AS_OF_HELP}`);
    const moment = await asOfMoment(this.catalog, asOf);
    let session = this.sessions.get(moment);
    this.sessions.delete(moment);
    if (session === undefined) {
      session = QuerySession.open({ catalog: this.catalog, asOf: { kind: 'time', ms: moment } });
      // A moment the lake cannot show is not kept.
      session.catch(() => this.sessions.delete(moment));
    }
    this.sessions.set(moment, session);
    while (this.sessions.size > KEPT_SESSIONS) {
      const [oldest, evicted] = this.sessions.entries().next().value!;
      this.sessions.delete(oldest);
      void evicted.then((s) => s.close(), () => {});
    }
    return (await session).graphQuery(request);
  }

  async close(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((s) => s.then((session) => session.close(), () => {})));
  }
}
