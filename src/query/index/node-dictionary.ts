/**
 * Graph nodes as dense ints, so an indexed edge row holds two numbers instead of four
 * strings. A node is its type and id; the type is implied by the edge type (CONTRACTS §2),
 * so ids are interned per node type. The dictionary only grows: ids of files a later
 * snapshot removed stay, which is what lets index versions share it.
 */
import { NODE_TYPES, type NodeType } from '../../graph/model.js';

export const NODE_TYPE_CODE = Object.fromEntries(NODE_TYPES.map((t, i) => [t, i])) as Record<NodeType, number>;

export class NodeDictionary {
  private readonly byType = NODE_TYPES.map(() => new Map<string, number>());
  private readonly types: number[] = [];
  private readonly ids: string[] = [];

  intern(typeCode: number, id: string): number {
    const ofType = this.byType[typeCode]!;
    let node = ofType.get(id);
    if (node === undefined) {
      node = this.ids.length;
      ofType.set(id, node);
      this.types.push(typeCode);
      this.ids.push(id);
    }
    return node;
  }

  /** undefined: no indexed row names this node. */
  find(type: NodeType, id: string): number | undefined {
    return this.byType[NODE_TYPE_CODE[type]]!.get(id);
  }

  typeOf(node: number): NodeType {
    return NODE_TYPES[this.types[node]!]!;
  }

  idOf(node: number): string {
    return this.ids[node]!;
  }

  get size(): number {
    return this.ids.length;
  }
}
