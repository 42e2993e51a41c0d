/**
 * 32-bit MurmurHash3 (x86 variant, seed 0), the hash behind Iceberg's bucket transform.
 * Results are signed 32-bit ints, as in the Java reference implementation.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Hash of bytes[start, end) — lets callers hash straight out of an Arrow value buffer. */
export function murmur3Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0;
  const blocksEnd = start + ((end - start) & ~3);
  let i = start;
  for (; i < blocksEnd; i += 4) {
    h = mixH(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  }
  const tail = end - i;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[i + 2] << 16;
    if (tail >= 2) k ^= bytes[i + 1] << 8;
    k ^= bytes[i];
    h ^= mixK(k);
  }
  return finalize(h, end - start);
}

/**
 * Hash of a 64-bit value given as its little-endian 32-bit halves. Iceberg hashes int,
 * long, date and timestamp values all as 8-byte little-endian longs.
 */
export function murmur3Long(low: number, high: number): number {
  return finalize(mixH(mixH(0, low | 0), high | 0), 8);
}
