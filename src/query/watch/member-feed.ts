/**
 * One account's live feed (docs/CONTRACTS.md §7, GET /v1/watch/member-activity): its
 * member-activity edges over all time, aggregated as the HTTP query aggregates them, and
 * the Server-Sent Events frames of their changes, numbered.
 *
 * When the tail decodes a batch with an edge out of the account or one of its profiles
 * (or a snapshot swap lands), the feed asks the session for the account's member-activity
 * again and pushes every edge whose aggregate differs from what it pushed before. Asking
 * the session rather than adding rows up here keeps a pushed edge exactly what the query
 * answers: dedup, late events, records a snapshot brought that the tail never decoded,
 * profiles that appear later. A query runs after the batch's rows are appended, so a
 * change is never seen before it can be read.
 *
 * Event ids are `<feed>.<n>`: `n` counts the feed's edge events, and the last
 * RESUME_EVENTS frames are kept, so a client that comes back with a Last-Event-ID of this
 * feed within them gets exactly the events it missed. Anything else (another feed, one
 * forgotten since, too far behind) gets a fresh snapshot.
 */
import type { NodeType } from '../../graph/model.js';
import type { GraphEdge } from '../graph-result.js';
import type { EdgeChangeFeed, SourceWatcher } from '../hot/edge-change-feed.js';
import type { QuerySession } from '../query-session.js';

/** Edge events kept per feed for resuming. */
export const RESUME_EVENTS = 1024;
/** After a failed read of the member's edges (a swap's hiccup, an interrupt), try again this much later. */
const RETRY_MS = 1_000;

/** Where a feed's frames go: one open event stream. */
export interface FeedSubscriber {
  /** Called once, as it subscribes: the snapshot event, or the events it missed. */
  start(frames: readonly string[]): void;
  write(frame: string): void;
}

const edgeKey = (e: GraphEdge) => `${e.edge_type}\u0000${e.src_type}\u0000${e.src_id}\u0000${e.dst_type}\u0000${e.dst_id}`;
const sameAggregate = (a: GraphEdge, b: GraphEdge) => a.event_count === b.event_count && a.first_seen === b.first_seen && a.last_seen === b.last_seen;
/** As member_activity.sql orders: newest last_seen first, then by type and ids. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const newestFirst = (a: GraphEdge, b: GraphEdge) =>
  byCodeUnits(b.last_seen, a.last_seen) || byCodeUnits(a.edge_type, b.edge_type) || byCodeUnits(a.src_id, b.src_id) || byCodeUnits(a.dst_id, b.dst_id);

export function frame(id: string, event: 'snapshot' | 'edge', data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class MemberFeed implements SourceWatcher {
  readonly subscribers = new Set<FeedSubscriber>();
  /** Edge events pushed so far; the id of the newest is `<name>.<events>`. */
  private events = 0;
  private readonly ring: string[] = new Array(RESUME_EVENTS);
  private edges = new Map<string, GraphEdge>();
  /** The sources watched in the change feed: the account and its profiles. */
  private sources: Array<readonly [NodeType, string]>;
  private dirty = false;
  private reading: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    /** Unique among the feeds of this process's life: `<process>-<n>`. */
    readonly name: string,
    readonly account: string,
    private readonly session: QuerySession,
    private readonly changes: EdgeChangeFeed,
  ) {
    this.sources = [['account', account]];
  }

  /** Resolves once the feed holds the account's edges (rejects if they cannot be read). */
  static async open(name: string, account: string, session: QuerySession): Promise<MemberFeed> {
    const feed = new MemberFeed(name, account, session, session.edgeChanges);
    feed.changes.watch('account', account, feed);
    try {
      await feed.read(false);
    } catch (error) {
      feed.close();
      throw error;
    }
    return feed;
  }

  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    this.reading ??= this.readWhileDirty().finally(() => (this.reading = undefined));
  }

  /** The snapshot event of now: the edges last seen at or after `since` (epoch ms), newest first. */
  snapshotFrame(since: number): string {
    const edges = [...this.edges.values()].filter((e) => Date.parse(e.last_seen) >= since).sort(newestFirst);
    return frame(this.idOf(this.events), 'snapshot', { edges });
  }

  /** The frames after event id `lastEventId`, or undefined when this feed cannot say which those are. */
  framesAfter(lastEventId: string): string[] | undefined {
    const dot = lastEventId.lastIndexOf('.');
    if (lastEventId.slice(0, dot) !== this.name) return undefined;
    const seen = Number(lastEventId.slice(dot + 1));
    if (!Number.isSafeInteger(seen) || seen > this.events || seen < this.events - RESUME_EVENTS) return undefined;
    const frames: string[] = [];
    for (let n = seen + 1; n <= this.events; n++) frames.push(this.ring[n % RESUME_EVENTS]!);
    return frames;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.changes.forget(this, this.sources);
  }

  private idOf(n: number): string {
    return `${this.name}.${n}`;
  }

  private async readWhileDirty(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      try {
        await this.read(true);
      } catch {
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.changed(), RETRY_MS);
        return;
      }
    }
  }

  /** Reads the account's edges and, with `push`, pushes those that changed. */
  private async read(push: boolean): Promise<void> {
    const batchesBefore = this.changes.batches;
    const { edges } = await this.session.graphQuery({ query: 'member-activity', member: { kind: 'account', id: this.account }, since: -Infinity });
    if (this.closed) return;
    const next = new Map<string, GraphEdge>();
    const changed: GraphEdge[] = [];
    for (const edge of edges) {
      const key = edgeKey(edge);
      next.set(key, edge);
      const before = this.edges.get(key);
      if (before === undefined || !sameAggregate(before, edge)) changed.push(edge);
    }
    // An edge gone (its member forgotten) has no event of its own: it stops being pushed.
    this.edges = next;
    if (push) for (const edge of changed.sort((a, b) => newestFirst(b, a))) this.push(edge);
    // Rows of a profile seen for the first time that the tail decoded during the read were not watched yet: read again.
    if (this.watchProfiles(edges) && this.changes.batches !== batchesBefore) this.changed();
  }

  private push(edge: GraphEdge): void {
    const n = ++this.events;
    const text = frame(this.idOf(n), 'edge', edge);
    this.ring[n % RESUME_EVENTS] = text;
    for (const subscriber of this.subscribers) subscriber.write(text);
  }

  /** Watches the profiles the account has now; true when there are new ones. */
  private watchProfiles(edges: readonly GraphEdge[]): boolean {
    const known = new Set(this.sources.filter(([type]) => type === 'profile').map(([, id]) => id));
    let added = false;
    for (const edge of edges) {
      if (edge.edge_type !== 'has_profile' || known.has(edge.dst_id)) continue;
      known.add(edge.dst_id);
      this.sources.push(['profile', edge.dst_id]);
      this.changes.watch('profile', edge.dst_id, this);
      added = true;
    }
    return added;
  }
}
