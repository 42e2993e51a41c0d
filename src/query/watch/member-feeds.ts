/**
 * The member feeds of a service, one per watched account, shared by all of its watchers.
 * A feed outlives its last watcher by LINGER_MS, so a client whose connection dropped can
 * come back with its Last-Event-ID and miss nothing; feeds nobody watches are the first
 * closed when the number of feeds reaches the bound.
 */
import { randomBytes } from 'node:crypto';
import type { QuerySession } from '../query-session.js';
import { MemberFeed, type FeedSubscriber } from './member-feed.js';

/** How long a feed keeps following its account after its last watcher left. */
export const LINGER_MS = 60_000;

interface Entry {
  readonly opened: Promise<MemberFeed>;
  linger: NodeJS.Timeout | undefined;
}

export class MemberFeeds {
  /** Tells this process's feeds from those of an earlier run of the service. */
  private readonly process = randomBytes(4).toString('hex');
  private opened = 0;
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly session: QuerySession,
    /** Feeds kept at most, watched or lingering. */
    private readonly maxFeeds: number,
  ) {}

  /**
   * Starts sending the account's frames to `subscriber`: first the events after
   * `lastEventId` when its feed still holds them, else a snapshot of the edges last seen
   * at or after `since`; then every edge event. Resolves with how to stop; rejects if
   * the account's edges cannot be read.
   */
  async subscribe(account: string, since: number, lastEventId: string | undefined, subscriber: FeedSubscriber): Promise<() => void> {
    const entry = this.entryOf(account);
    let feed: MemberFeed;
    try {
      feed = await entry.opened;
    } catch (error) {
      if (this.entries.get(account) === entry) this.entries.delete(account);
      throw error;
    }
    // Nothing awaits from here on: no event can fall between the first frames and the rest.
    clearTimeout(entry.linger);
    entry.linger = undefined;
    subscriber.start((lastEventId === undefined ? undefined : feed.framesAfter(lastEventId)) ?? [feed.snapshotFrame(since)]);
    feed.subscribers.add(subscriber);
    return () => {
      if (!feed.subscribers.delete(subscriber)) return;
      if (feed.subscribers.size === 0 && this.entries.get(account) === entry) entry.linger = setTimeout(() => this.closeFeed(account, entry), LINGER_MS).unref();
    };
  }

  /** Closes every feed (the service stops). */
  close(): void {
    for (const [account, entry] of this.entries) this.closeFeed(account, entry);
  }

  private entryOf(account: string): Entry {
    const known = this.entries.get(account);
    if (known !== undefined) return known;
    if (this.entries.size >= this.maxFeeds) this.closeOldestLingering();
    const entry: Entry = { opened: MemberFeed.open(`${this.process}-${++this.opened}`, account, this.session), linger: undefined };
    this.entries.set(account, entry);
    return entry;
  }

  /** Entries are in the order they were opened. */
  private closeOldestLingering(): void {
    for (const [account, entry] of this.entries) {
      if (entry.linger === undefined) continue;
      this.closeFeed(account, entry);
      return;
    }
  }

  private closeFeed(account: string, entry: Entry): void {
    clearTimeout(entry.linger);
    this.entries.delete(account);
    entry.opened.then((feed) => feed.close(), () => {});
  }
}
