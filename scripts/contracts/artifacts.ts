/**
 * The generated contract files of docs/contracts/, by name: what `npm run contracts`
 * writes and what test/unit/contracts-artifacts.test.ts compares the checked-in files with.
 */
import { TOPICS } from '../../src/events/topics.js';
import { eventJsonSchema } from './event-schemas.js';
import { openApiDocument } from './openapi.js';

export const CONTRACTS_DIR = 'docs/contracts';

const text = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

export function contractArtifacts(): ReadonlyMap<string, string> {
  return new Map([...TOPICS.map((topic) => [`${topic}.schema.json`, text(eventJsonSchema(topic))] as const), ['openapi.json', text(openApiDocument())]]);
}
