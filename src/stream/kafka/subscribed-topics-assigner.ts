/**
 * The partition assigner of every ingest consumer group: each topic's partitions go round
 * robin to the members subscribed to that topic, and to no one else.
 *
 * kafkajs's own round-robin assigner spreads the leader's subscribed topics over all
 * members and ignores what the others subscribe to. Jobs of different topics sharing one
 * `--group` then starved silently: the members of other topics dropped the partitions
 * they were handed, their own topics were assigned to no one, and with an idle limit they
 * exited 0 having read almost nothing (issue 15). A shared group works with this assigner,
 * but every member joining or leaving rebalances all of them, so the leader says so.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const NAME = 'LakegraphSubscribedTopics';
const VERSION = 0;
const NO_USER_DATA = Buffer.alloc(0);

export const subscribedTopicsAssigner: PartitionAssigner = ({ cluster, groupId, logger }) => ({
  name: NAME,
  version: VERSION,

  async assign({ members }) {
    const subscribersOf = new Map<string, string[]>();
    for (const { memberId, memberMetadata } of members) {
      for (const topic of AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? []) {
        const subscribers = subscribersOf.get(topic) ?? [];
        subscribers.push(memberId);
        subscribersOf.set(topic, subscribers);
      }
    }
    if (subscribersOf.size > 1) {
      logger.warn(`consumer group ${groupId} is shared by the jobs of ${subscribersOf.size} topics; each topic's partitions go to its own jobs, but every join or leave rebalances all of them (give each topic its own --group)`, {
        groupId,
        topics: [...subscribersOf.keys()],
      });
    }
    // The leader knows the partitions of its own topics only.
    await cluster.addMultipleTargetTopics([...subscribersOf.keys()]);
    const assignments = new Map<string, Record<string, number[]>>(members.map(({ memberId }) => [memberId, {}]));
    for (const [topic, subscribers] of subscribersOf) {
      subscribers.sort();
      const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b);
      partitions.forEach((partition, i) => {
        const assignment = assignments.get(subscribers[i % subscribers.length]!)!;
        (assignment[topic] ??= []).push(partition);
      });
    }
    return [...assignments].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: NO_USER_DATA }),
    }));
  },

  protocol({ topics }) {
    return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: NO_USER_DATA }) };
  },
});
