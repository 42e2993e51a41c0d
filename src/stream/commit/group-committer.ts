/**
 * The committer of a topic job's group: it collects the members' contributions and lands
 * each table's at most once per commit interval, in one snapshot, whatever the number of
 * members. Kafka-free: the control channel (kafka/control-channel.ts) feeds it every
 * contribution and outcome it sees, and publishes what it decides.
 *
 * Every member keeps the contributions not yet answered, active or not, so a member that
 * becomes the committer (it took partition 0) lands those its predecessor left, and two
 * committers for a while (one that has not yet heard it lost partition 0) are harmless:
 * each contribution is fenced by the offsets it was read from (commit-contributions.ts),
 * so it lands once and the other committer's attempt is refused as fenced.
 */
import { errorMessage } from '../../common/error-message.js';
import { TABLE_NAMES, type TableName } from '../../lake/tables.js';
import type { GraphTables } from '../job/graph-tables.js';
import type { JsonLog } from '../metrics/json-log.js';
import { commitContributions } from './commit-contributions.js';
import type { Contribution, ContributionOutcome } from './contribution.js';

export interface GroupCommitterOptions {
  readonly tables: GraphTables;
  /** At most one snapshot per table this often. */
  readonly intervalMs: number;
  /** Older contributions are dropped unanswered: their members have stopped waiting and re-read from the lake. */
  readonly maxAgeMs: number;
  readonly publish: (id: string, outcome: ContributionOutcome) => Promise<void>;
  readonly log: JsonLog;
}

interface Pending {
  readonly contribution: Contribution;
  readonly sentAt: number;
}

export class GroupCommitter {
  private active = false;
  private readonly pending = new Map<TableName, Pending[]>(TABLE_NAMES.map((name) => [name, []]));
  private readonly lastCommitAt = new Map<TableName, number>();
  private readonly timers = new Map<TableName, NodeJS.Timeout>();
  private readonly running = new Map<TableName, Promise<void>>();
  /** Snapshots this process committed for the group, per table. */
  readonly commits = new Map<TableName, number>(TABLE_NAMES.map((name) => [name, 0]));

  constructor(private readonly options: GroupCommitterOptions) {}

  get isActive(): boolean {
    return this.active;
  }

  /** A contribution sent at `sentAt` (epoch ms); offered again (read twice), it is kept once. */
  offer(contribution: Contribution, sentAt: number): void {
    const list = this.pending.get(contribution.table)!;
    if (list.some((p) => p.contribution.id === contribution.id)) return;
    list.push({ contribution, sentAt });
    this.options.log('debug', 'contribution', { table: contribution.table, id: contribution.id, files: contribution.files.length, ageMs: Date.now() - sentAt, active: this.active });
    this.dropExpired(contribution.table, Date.now());
    this.schedule(contribution.table);
  }

  /** Some committer answered `id`: it is no longer pending here. */
  answered(id: string): void {
    for (const list of this.pending.values()) {
      const at = list.findIndex((p) => p.contribution.id === id);
      if (at >= 0) {
        list.splice(at, 1);
        return;
      }
    }
  }

  /** This member commits for the group from now on (`true`), or no longer. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    this.options.log('info', active ? 'committing for the group' : 'no longer committing for the group', {});
    if (active) for (const name of TABLE_NAMES) this.schedule(name);
    else this.clearTimers();
  }

  /** Stops committing; waits for the commits under way (their outcomes are published). */
  async close(): Promise<void> {
    this.active = false;
    this.clearTimers();
    await Promise.all(this.running.values());
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private dropExpired(name: TableName, now: number): void {
    const list = this.pending.get(name)!;
    const kept = list.filter((p) => now - p.sentAt <= this.options.maxAgeMs);
    if (kept.length < list.length) this.options.log('warn', 'dropped contributions nobody committed in time; their members re-read them', { table: name, dropped: list.length - kept.length });
    this.pending.set(name, kept);
  }

  private schedule(name: TableName): void {
    if (!this.active || this.timers.has(name) || this.running.has(name) || this.pending.get(name)!.length === 0) return;
    const delayMs = Math.max(0, (this.lastCommitAt.get(name) ?? 0) + this.options.intervalMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(name);
      const run = this.commitTable(name).finally(() => {
        this.running.delete(name);
        this.schedule(name);
      });
      this.running.set(name, run);
    }, delayMs);
    this.timers.set(name, timer);
  }

  private async commitTable(name: TableName): Promise<void> {
    const now = Date.now();
    this.dropExpired(name, now);
    const taken = this.pending.get(name)!.map((p) => p.contribution);
    this.pending.set(name, []);
    if (taken.length === 0) return;
    this.lastCommitAt.set(name, now);
    let outcomes: Map<string, ContributionOutcome>;
    try {
      const started = performance.now();
      outcomes = await commitContributions(this.options.tables[name], taken);
      this.options.log('debug', 'group commit', { table: name, contributions: taken.length, durationMs: Math.round(performance.now() - started) });
      if ([...outcomes.values()].some((o) => o.kind === 'committed')) this.commits.set(name, this.commits.get(name)! + 1);
    } catch (error) {
      // The snapshot may or may not have landed; either way each member re-reads from the lake.
      const reason = `${name}: the group's committer could not commit: ${errorMessage(error)}`;
      this.options.log('warn', 'group commit failed', { table: name, contributions: taken.length, error: errorMessage(error) });
      outcomes = new Map(taken.map((c) => [c.id, { kind: 'failed', reason }]));
    }
    await Promise.all(
      [...outcomes].map(([id, outcome]) =>
        this.options.publish(id, outcome).catch((error: unknown) => this.options.log('warn', 'could not publish a commit outcome; its member will time out and re-read', { id, error: errorMessage(error) })),
      ),
    );
  }
}
