/** Capacity doubling for the typed-array columns of a window. */

type Column = Float64Array | Int32Array | Uint8Array;

export function grown<C extends Column>(column: C, minLength: number): C {
  if (column.length >= minLength) return column;
  const next = new (column.constructor as new (length: number) => C)(Math.max(minLength, column.length * 2));
  next.set(column);
  return next;
}
