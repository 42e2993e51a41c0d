/**
 * The rows of one segment grouped by a node column (compressed sparse rows): the distinct
 * nodes sorted, and for each the run of row numbers that hold it. Finding a node's rows is
 * a binary search; the whole structure is three typed arrays.
 */
export class Adjacency {
  private constructor(
    private readonly nodes: Int32Array,
    /** Rows of nodes[i] are rows[starts[i] .. starts[i + 1]). */
    private readonly starts: Int32Array,
    private readonly rows: Int32Array,
  ) {}

  /** Groups rows 0 … column.length-1 by their value in `column`. */
  static of(column: Int32Array): Adjacency {
    const count = column.length;
    if (count >= 2 ** 24) throw new Error(`a segment of ${count} rows is too large to index (limit 2^24)`);
    // node · 2^24 + row sorts by node, then row, in one native numeric sort of doubles.
    const keys = new Float64Array(count);
    for (let row = 0; row < count; row++) keys[row] = column[row]! * 2 ** 24 + row;
    keys.sort();
    const rows = new Int32Array(count);
    const distinct: number[] = [];
    const starts: number[] = [];
    for (let i = 0; i < count; i++) {
      const node = Math.floor(keys[i]! / 2 ** 24);
      rows[i] = keys[i]! - node * 2 ** 24;
      if (distinct.length === 0 || distinct[distinct.length - 1] !== node) {
        distinct.push(node);
        starts.push(i);
      }
    }
    starts.push(count);
    return new Adjacency(Int32Array.from(distinct), Int32Array.from(starts), rows);
  }

  /** Calls `visit` with each row that holds `node`. */
  forEachRow(node: number, visit: (row: number) => void): void {
    let low = 0;
    let high = this.nodes.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.nodes[middle]!;
      if (at < node) low = middle + 1;
      else if (at > node) high = middle - 1;
      else {
        for (let i = this.starts[middle]!; i < this.starts[middle + 1]!; i++) visit(this.rows[i]!);
        return;
      }
    }
  }
}
