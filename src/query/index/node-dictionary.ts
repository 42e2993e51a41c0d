/**
 * Graph nodes as dense ints, so an indexed edge row holds two numbers instead of four
 * strings. A node is its type and id; the type is implied by the edge type (docs/CONTRACTS.md §2),
 * so ids are interned per node type. The dictionary only grows: ids of files a later
 * snapshot removed stay, which is what lets index versions share it.
 */
import { NODE_TYPE_CODE, NODE_TYPES, type NodeType } from '../../graph/model.js';


/** Which ends of indexed rows a node has been seen at (bits), so a walk skips nodes with no rows that way. */
export const AS_SOURCE = 1;
export const AS_DESTINATION = 2;

export class NodeDictionary {
  private readonly byType = NODE_TYPES.map(() => new Map<string, number>());
  private readonly ids: string[] = [];
  private roles = new Uint8Array(1024);

  intern(typeCode: number, id: string): number {
    const ofType = this.byType[typeCode]!;
    let node = ofType.get(id);
    if (node === undefined) {
      node = this.ids.length;
      ofType.set(id, node);
      this.ids.push(id);
    }
    return node;
  }

  /** Notes that an indexed row has `node` at `role` (AS_SOURCE or AS_DESTINATION); never unset, so a superset once files go. */
  seenAs(node: number, role: number): void {
    if (node >= this.roles.length) {
      const grown = new Uint8Array(Math.max(node + 1, this.roles.length * 2));
      grown.set(this.roles);
      this.roles = grown;
    }
    this.roles[node]! |= role;
  }

  wasSeenAs(node: number, role: number): boolean {
    return ((this.roles[node] ?? 0) & role) !== 0;
  }

  /** undefined: no indexed row names this node. */
  find(type: NodeType, id: string): number | undefined {
    return this.byType[NODE_TYPE_CODE[type]]!.get(id);
  }

  idOf(node: number): string {
    return this.ids[node]!;
  }

  get size(): number {
    return this.ids.length;
  }
}
