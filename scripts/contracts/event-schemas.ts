/**
 * A JSON Schema per topic for producers, generated from the zod contracts that decode
 * validates with, so the schema a producer checks against is the rule ingest applies.
 * What zod cannot say (the size limit, the message key) goes into the description.
 */
import { z } from 'zod';
import { CONTRACT_BY_TOPIC } from '../../src/events/contracts.js';
import { MAX_EVENT_BYTES } from '../../src/events/rejection.js';
import type { Topic } from '../../src/events/topics.js';

export function eventJsonSchema(topic: Topic): Record<string, unknown> {
  // `input`: what a producer writes (ts as epoch ms or ISO-8601), not what decode makes of it.
  const { $schema, ...schema } = z.toJSONSchema(CONTRACT_BY_TOPIC[topic], { io: 'input' });
  return {
    $schema,
    title: `${topic} event`,
    description:
      `The value of one Kafka message on ${topic}: a JSON object in UTF-8 of at most ${MAX_EVENT_BYTES} bytes, ` +
      'keyed by its account_id. Unknown fields are ignored; a record that breaks this schema is rejected ' +
      'into <topic>.dlq and graph.rejected_events (docs/CONTRACTS.md §1).',
    ...schema,
  };
}
