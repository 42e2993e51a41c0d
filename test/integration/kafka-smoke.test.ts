/**
 * kafkajs 2.2.4 against the real Kafka 4 broker of infra/local/up: the client features
 * the ingest job and the hot tail rely on. Kafka 4 removed old protocol versions
 * (KIP-896); these tests show kafkajs still finds versions the broker accepts for each.
 * Every test uses its own topic and group, deleted at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Consumer, type EachMessagePayload } from 'kafkajs';
import { assertListening, BROKERS } from '../support/services.js';

const kafka = new Kafka({ clientId: 'kafka-smoke', brokers: [...BROKERS], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
const runId = randomBytes(4).toString('hex');
const topics: string[] = [];
const consumers: Consumer[] = [];

/** A fresh topic with `partitions` partitions, deleted after the suite. */
async function freshTopic(purpose: string, partitions: number): Promise<string> {
  const topic = `smoke.${purpose}.${runId}`;
  topics.push(topic);
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }), true);
  return topic;
}

/** kafkajs waits up to maxWaitTimeInMs per fetch; a short wait keeps pause, resume and seek prompt. */
function consumer(groupId: string): Consumer {
  const c = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
  consumers.push(c);
  return c;
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function valuesOf(messages: readonly EachMessagePayload[]): string[] {
  return messages.map((m) => m.message.value!.toString());
}

before(async () => {
  await assertListening(BROKERS[0]);
  await Promise.all([admin.connect(), producer.connect()]);
});

after(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await Promise.all([producer.disconnect(), admin.disconnect()]);
});

describe('kafkajs against the local Kafka 4 broker', () => {
  it('creates a topic with partitions and sees them all led by the broker', async () => {
    const topic = await freshTopic('create', 3);
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    assert.deepEqual(
      meta.partitions.map((p) => [p.partitionId, p.partitionErrorCode, p.leader >= 0]).sort(),
      [
        [0, 0, true],
        [1, 0, true],
        [2, 0, true],
      ],
    );
  });

  it('consumes what was produced once, in key order, and commits the group offsets', async () => {
    const topic = await freshTopic('produce-consume', 3);
    const groupId = `${topic}.group`;
    const sent = Array.from({ length: 60 }, (_, i) => ({ key: `account-${i % 7}`, value: `event-${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });

    const received: EachMessagePayload[] = [];
    const c = consumer(groupId);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async (payload) => void received.push(payload) });
    await waitFor('all 60 messages', () => received.length >= sent.length);

    assert.deepEqual(valuesOf(received).sort(), sent.map((m) => m.value).sort());
    for (const key of new Set(sent.map((m) => m.key))) {
      const ofKey = received.filter((m) => m.message.key!.toString() === key);
      assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1, `${key} stays in one partition`);
      assert.deepEqual(valuesOf(ofKey), sent.filter((m) => m.key === key).map((m) => m.value), `${key} keeps its order`);
    }

    // Stopping commits what was consumed; the group's offsets then equal each partition's end.
    await c.stop();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(
      committed.partitions.map((p) => [p.partition, p.offset]).sort(),
      ends.map((p) => [p.partition, p.high]).sort(),
    );
  });

  it('holds back paused partitions, delivers them on resume, and replays after a seek', async () => {
    const topic = await freshTopic('pause-seek', 1);
    const received: EachMessagePayload[] = [];
    const c = consumer(`${topic}.group`);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async (payload) => void received.push(payload) });
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await waitFor('the first two messages', () => received.length === 2);

    c.pause([{ topic }]);
    await producer.send({ topic, messages: [{ value: 'c' }] });
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(valuesOf(received), ['a', 'b'], 'nothing arrives while paused');

    c.resume([{ topic }]);
    await waitFor('the message sent while paused', () => received.length === 3);
    assert.deepEqual(valuesOf(received), ['a', 'b', 'c']);

    c.seek({ topic, partition: 0, offset: '1' });
    await waitFor('the replay from offset 1', () => received.length === 5);
    assert.deepEqual(valuesOf(received), ['a', 'b', 'c', 'b', 'c']);
  });

  it('splits the partitions between two members and gives them all back when one leaves', async () => {
    const topic = await freshTopic('rebalance', 4);
    const groupId = `${topic}.group`;
    const assignments = new Map<string, number[]>();
    const member = async (name: string) => {
      const c = consumer(groupId);
      c.on(c.events.GROUP_JOIN, ({ payload }) => assignments.set(name, [...(payload.memberAssignment[topic] ?? [])].sort()));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ eachMessage: async () => {} });
      return c;
    };

    await member('first');
    await waitFor('the first member to own all partitions', () => assignments.get('first')?.length === 4);
    const second = await member('second');
    await waitFor(
      'both members to hold a share',
      () => (assignments.get('second')?.length ?? 0) > 0 && (assignments.get('first')?.length ?? 0) < 4,
    );
    const first = assignments.get('first')!;
    const shared = assignments.get('second')!;
    assert.deepEqual([...first, ...shared].sort(), [0, 1, 2, 3], 'every partition has exactly one owner');

    await second.disconnect();
    await waitFor('the first member to own all partitions again', () => assignments.get('first')?.length === 4);
  });
});
