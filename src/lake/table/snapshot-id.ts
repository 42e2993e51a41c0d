import { randomBytes } from 'node:crypto';
import type { SnapshotId } from '../spec/snapshot.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A random snapshot id in [1, 2^53−1]: positive as the spec wants. lakegraph reads any
 * 64-bit id exactly; its own stay within what a JSON.parse reader of `lakegraph status
 * --json` or `/healthz` keeps exact.
 */
export function newSnapshotId(): SnapshotId {
  for (;;) {
    const id = randomBytes(8).readBigUInt64LE() & MAX_SAFE;
    if (id > 0n) return id;
  }
}
