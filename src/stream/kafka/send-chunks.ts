/**
 * Groups records into producer sends the broker accepts: it limits a whole record batch
 * (one per partition per send) to the topic's max.message.bytes, so a send carries at most
 * `maxBytes` of keys and values — an oversize record travels alone — and `maxItems` records.
 */
export function* sendChunks<T>(items: Iterable<T>, bytesOf: (item: T) => number, maxBytes: number, maxItems: number): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (chunk.length > 0 && (bytes + size > maxBytes || chunk.length >= maxItems)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

export const payloadBytes = (key: Uint8Array | null, value: Uint8Array | null): number => (key?.byteLength ?? 0) + (value?.byteLength ?? 0);
