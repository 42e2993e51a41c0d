import { randomBytes } from 'node:crypto';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A random snapshot id in [1, 2^53−1]: positive as the spec wants, exact for JSON.parse readers. */
export function newSnapshotId(): number {
  for (;;) {
    const id = randomBytes(8).readBigUInt64LE() & MAX_SAFE;
    if (id > 0n) return Number(id);
  }
}
