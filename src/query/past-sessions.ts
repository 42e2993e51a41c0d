/**
 * Sessions over past snapshots for `serve`'s `as_of=` (docs/CONTRACTS.md §7). Opening one
 * plans each table's files as of a moment, so the few most recently asked moments are
 * kept open: a dashboard polling "yesterday 18:00" pays for planning once.
 */
import type { Catalog } from '../lake/catalog/catalog.js';
import { AS_OF_HELP, AsOfError, asOfMoment, parseAsOf } from './as-of.js';
import { QuerySession } from './query-session.js';

const KEPT_SESSIONS = 4;
/** Numeric `as_of` texts whose moment is kept: resolving one loads every table's metadata. */
const KEPT_MOMENTS = 256;

export class PastSessions {
  /** By moment, least recently used first. */
  private readonly sessions = new Map<number, Promise<QuerySession>>();
  /**
   * A snapshot id's moment is its commit time, which never changes; digits that name no
   * snapshot are epoch milliseconds (snapshot ids are random 63-bit numbers, so one
   * taking that value later is not a worry).
   */
  private readonly moments = new Map<string, number>();

  constructor(private readonly catalog: Catalog) {}

  /** The session over the graph as of `text`; AsOfError when the text or the lake cannot say. */
  async sessionAt(text: string): Promise<QuerySession> {
    const moment = await this.momentOf(text);
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
    return session;
  }

  async close(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map((s) => s.then((session) => session.close(), () => {})));
  }

  private async momentOf(text: string): Promise<number> {
    const asOf = parseAsOf(text);
    if (asOf === undefined) throw new AsOfError(`"${text.slice(0, 64)}" is not ${AS_OF_HELP}`);
    if (asOf.kind === 'time') return asOf.ms;
    const known = this.moments.get(asOf.digits);
    if (known !== undefined) return known;
    const moment = await asOfMoment(this.catalog, asOf);
    if (this.moments.size >= KEPT_MOMENTS) this.moments.delete(this.moments.keys().next().value!);
    this.moments.set(asOf.digits, moment);
    return moment;
  }
}
