/**
 * `npm run contracts`: writes docs/contracts/ afresh from the zod contracts and removes
 * the files there that no contract makes any more (a topic dropped, a file renamed).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACTS_DIR, contractArtifacts } from './contracts/artifacts.js';

// This file runs as dist/scripts/generate-contracts.js.
const directory = join(fileURLToPath(new URL('../../', import.meta.url)), CONTRACTS_DIR);
const artifacts = contractArtifacts();
await mkdir(directory, { recursive: true });
for (const name of await readdir(directory)) if (!artifacts.has(name)) await rm(join(directory, name));
for (const [name, text] of artifacts) await writeFile(join(directory, name), text);
console.log(`${CONTRACTS_DIR}: ${[...artifacts.keys()].join(', ')}`);
