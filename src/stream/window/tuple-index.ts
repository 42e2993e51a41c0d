/**
 * Open-addressing hash index from a key of three int32s to a dense row number, kept in
 * typed arrays: looking up or adding a key allocates nothing.
 */
import { grown } from './growable.js';

const EMPTY = -1;

export class TupleIndex {
  /** Set by `rowOf`: whether the last lookup added its key. */
  inserted = false;
  private keys = new Int32Array(3 * 1024);
  private slots = new Int32Array(2048).fill(EMPTY);
  private rows = 0;

  get size(): number {
    return this.rows;
  }

  /** Key components of `row`, for reading the rows back. */
  key(row: number, component: 0 | 1 | 2): number {
    return this.keys[3 * row + component]!;
  }

  rowOf(a: number, b: number, c: number): number {
    const mask = this.slots.length - 1;
    let slot = hash(a, b, c) & mask;
    for (;;) {
      const row = this.slots[slot]!;
      if (row === EMPTY) break;
      const at = 3 * row;
      if (this.keys[at] === a && this.keys[at + 1] === b && this.keys[at + 2] === c) {
        this.inserted = false;
        return row;
      }
      slot = (slot + 1) & mask;
    }
    const row = this.rows++;
    this.keys = grown(this.keys, 3 * this.rows);
    this.keys[3 * row] = a;
    this.keys[3 * row + 1] = b;
    this.keys[3 * row + 2] = c;
    this.slots[slot] = row;
    // Load factor ≤ 1/2 keeps probe sequences short.
    if (2 * this.rows > this.slots.length) this.rehash(this.slots.length * 2);
    this.inserted = true;
    return row;
  }

  clear(): void {
    this.slots.fill(EMPTY);
    this.rows = 0;
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount).fill(EMPTY);
    const mask = slotCount - 1;
    for (let row = 0; row < this.rows; row++) {
      const at = 3 * row;
      let slot = hash(this.keys[at]!, this.keys[at + 1]!, this.keys[at + 2]!) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = row;
    }
    this.slots = slots;
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  return h ^ (h >>> 15);
}
