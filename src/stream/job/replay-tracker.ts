/**
 * Remembers, for one partition, how far back a restart must re-read so that the
 * event-id dedup state comes back exactly: the latest checkpoint offset before which
 * every record is older than the horizon (relative to the newest ts seen since).
 * Checkpoints are taken every `every` records and pruned as they fall behind, so
 * memory stays at a handful of numbers per partition.
 */
export class ReplayTracker {
  private readonly offsets: number[] = [];
  /** Max event ts of all records before offsets[i]. */
  private readonly maxTsBefore: number[] = [];
  private newest = -Infinity;
  private sinceCheckpoint = 0;

  /** `start`: the offset reading started from; everything before it was already beyond the horizon. */
  constructor(
    start: number,
    private readonly horizonMs: number,
    private readonly every = 1000,
  ) {
    this.offsets.push(start);
    this.maxTsBefore.push(-Infinity);
  }

  observe(offset: number, ts: number): void {
    if (++this.sinceCheckpoint >= this.every) {
      this.sinceCheckpoint = 0;
      this.offsets.push(offset);
      this.maxTsBefore.push(this.newest);
    }
    if (ts > this.newest) this.newest = ts;
  }

  replayFrom(): number {
    const horizonStart = this.newest - this.horizonMs;
    let usable = 0;
    while (usable + 1 < this.offsets.length && this.maxTsBefore[usable + 1] < horizonStart) usable++;
    this.offsets.splice(0, usable);
    this.maxTsBefore.splice(0, usable);
    return this.offsets[0];
  }
}
