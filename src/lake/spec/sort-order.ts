/** Iceberg sort orders (spec: "Sorting"). The graph tables declare theirs in tables.ts. */
import type { Transform } from './partition-spec.js';

export interface SortField {
  readonly transform: Transform;
  readonly 'source-id': number;
  readonly direction: 'asc' | 'desc';
  readonly 'null-order': 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  readonly 'order-id': number;
  readonly fields: readonly SortField[];
}

/** Order id 0 is reserved by the spec for "unsorted". */
export const UNSORTED: SortOrder = { 'order-id': 0, fields: [] };
