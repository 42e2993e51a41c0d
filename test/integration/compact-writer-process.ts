/** Child process of compact-concurrent.test: one topic's embedded ingest with small windows. argv: warehouse topic events */
import type { Topic } from '../../src/events/topics.js';
import { generatorOptions, ingestEmbedded } from './compact-fixtures.js';

const [warehouse, topic, events] = process.argv.slice(2);
const snapshots = await ingestEmbedded(warehouse, generatorOptions(Number(events), [topic as Topic]));
process.stdout.write(JSON.stringify({ topic, snapshots }) + '\n');
