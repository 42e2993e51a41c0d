/**
 * Where a topic's records stand in a table's snapshot. Each table's snapshot summary
 * carries, per topic, two maps from Kafka partition to offset:
 *
 *   lakegraph.offsets.<topic>  the next offset not yet in the table (exactly-once resume point)
 *   lakegraph.replay.<topic>   where to start re-reading so the event-id dedup state is rebuilt
 *                              exactly (every record before it is older than the horizon)
 *
 * and which log those offsets count in, so a reader compares them only with that log:
 *
 *   lakegraph.source.<topic>   `kafka:<cluster id>`, or `generator` for the embedded demo
 *                              (offsets no broker knows); absent in tables written before it
 *
 * The lake copies `lakegraph.*` keys forward on every commit, so a snapshot made by
 * another topic's job or by compaction still holds them; at a snapshot another engine
 * committed, they are found in its nearest ancestor that has them. So read them from
 * `carriedProperties(metadata)` (lake/spec/carried-properties.ts), never from the current
 * snapshot's summary alone.
 */
import type { CarriedProperties } from '../../lake/spec/carried-properties.js';

export type PartitionOffsets = ReadonlyMap<number, number>;

export interface SourcePositions {
  readonly offsets: PartitionOffsets;
  readonly replay: PartitionOffsets;
}

export const offsetsKey = (topic: string): string => `lakegraph.offsets.${topic}`;
export const replayKey = (topic: string): string => `lakegraph.replay.${topic}`;
export const sourceKey = (topic: string): string => `lakegraph.source.${topic}`;

export const GENERATOR_SOURCE = 'generator';
export const kafkaSource = (clusterId: string): string => `kafka:${clusterId}`;

/** The log the topic's offsets count in; undefined when the table does not say. */
export function sourceOf(carried: CarriedProperties, topic: string): string | undefined {
  return carried[sourceKey(topic)];
}

function decodeOffsets(text: string | undefined, key: string): Map<number, number> {
  const offsets = new Map<number, number>();
  if (text === undefined) return offsets;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`snapshot summary ${key} is not JSON: ${text.slice(0, 80)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`snapshot summary ${key} is not an object`);
  for (const [partition, offset] of Object.entries(parsed)) {
    if (!/^\d+$/.test(partition) || !Number.isSafeInteger(offset) || (offset as number) < 0) {
      throw new Error(`snapshot summary ${key} has a bad entry ${partition}: ${String(offset)}`);
    }
    offsets.set(Number(partition), offset as number);
  }
  return offsets;
}

function encodeOffsets(offsets: PartitionOffsets): string {
  const sorted = [...offsets.entries()].sort(([a], [b]) => a - b);
  return JSON.stringify(Object.fromEntries(sorted));
}

export function positionsOf(carried: CarriedProperties, topic: string): SourcePositions {
  return {
    offsets: decodeOffsets(carried[offsetsKey(topic)], offsetsKey(topic)),
    replay: decodeOffsets(carried[replayKey(topic)], replayKey(topic)),
  };
}

/**
 * The parent's positions overlaid with this writer's partitions (other members of the group
 * own the rest), and the writer's source when it knows it.
 */
export function positionProperties(parent: SourcePositions, topic: string, mine: SourcePositions, source?: string): Record<string, string> {
  const overlay = (base: PartitionOffsets, top: PartitionOffsets) => new Map([...base, ...top]);
  return {
    [offsetsKey(topic)]: encodeOffsets(overlay(parent.offsets, mine.offsets)),
    [replayKey(topic)]: encodeOffsets(overlay(parent.replay, mine.replay)),
    ...(source === undefined ? {} : { [sourceKey(topic)]: source }),
  };
}
