import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssignerProtocol, type Cluster, type Logger } from 'kafkajs';
import { subscribedTopicsAssigner } from '../../src/stream/kafka/subscribed-topics-assigner.js';

const PARTITIONS: Record<string, number> = { playback: 4, session: 3 };

function assignerWith(warnings: string[]) {
  const known = new Set<string>(['playback']);
  const cluster = {
    async addMultipleTargetTopics(topics: string[]) {
      for (const topic of topics) known.add(topic);
    },
    findTopicPartitionMetadata(topic: string) {
      if (!known.has(topic)) return [];
      return Array.from({ length: PARTITIONS[topic]! }, (_, partitionId) => ({ partitionId }));
    },
  } as unknown as Cluster;
  const logger = { warn: (message: string) => warnings.push(message) } as unknown as Logger;
  return subscribedTopicsAssigner({ cluster, groupId: 'g', logger });
}

async function assignmentsOf(subscriptions: Record<string, string[]>, warnings: string[] = []): Promise<Record<string, Record<string, number[]>>> {
  const assigner = assignerWith(warnings);
  const members = Object.entries(subscriptions).map(([memberId, topics]) => ({ memberId, memberMetadata: assigner.protocol({ topics }).metadata }));
  const assigned = await assigner.assign({ members, topics: ['playback'] });
  return Object.fromEntries(assigned.map(({ memberId, memberAssignment }) => [memberId, { ...AssignerProtocol.MemberAssignment.decode(memberAssignment)!.assignment }]));
}

test("each topic's partitions go round robin to its own subscribers only", async () => {
  const warnings: string[] = [];
  const assigned = await assignmentsOf({ a1: ['playback'], s1: ['session'], a2: ['playback'] }, warnings);
  assert.deepEqual(assigned, { a1: { playback: [0, 2] }, a2: { playback: [1, 3] }, s1: { session: [0, 1, 2] } });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /consumer group g is shared by the jobs of 2 topics/);
});

test('one topic: the same spread as round robin, and nothing to warn about', async () => {
  const warnings: string[] = [];
  assert.deepEqual(await assignmentsOf({ m2: ['playback'], m1: ['playback'] }, warnings), { m1: { playback: [0, 2] }, m2: { playback: [1, 3] } });
  assert.deepEqual(warnings, []);
});
