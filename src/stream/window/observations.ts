/** first_seen / last_seen / event_count per window row, as growable typed-array columns. */
import { grown } from './growable.js';

export class Observations {
  firstSeen = new Float64Array(1024);
  lastSeen = new Float64Array(1024);
  eventCount = new Int32Array(1024);

  record(row: number, isNewRow: boolean, ts: number): void {
    if (isNewRow) {
      this.firstSeen = grown(this.firstSeen, row + 1);
      this.lastSeen = grown(this.lastSeen, row + 1);
      this.eventCount = grown(this.eventCount, row + 1);
      this.firstSeen[row] = ts;
      this.lastSeen[row] = ts;
      this.eventCount[row] = 1;
      return;
    }
    if (ts < this.firstSeen[row]!) this.firstSeen[row] = ts;
    if (ts > this.lastSeen[row]!) this.lastSeen[row] = ts;
    this.eventCount[row]!++;
  }
}
