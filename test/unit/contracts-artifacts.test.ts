/** docs/contracts/ holds exactly what `npm run contracts` makes of the code as it is now. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONTRACTS_DIR, contractArtifacts } from '../../scripts/contracts/artifacts.js';
import { REPO_ROOT } from '../support/services.js';

const RUN = `run \`npm run contracts\` and commit ${CONTRACTS_DIR}/`;

test('the checked-in contract files are the ones the code generates', async () => {
  const directory = join(REPO_ROOT, CONTRACTS_DIR);
  const artifacts = contractArtifacts();
  assert.deepEqual((await readdir(directory)).sort(), [...artifacts.keys()].sort(), `${CONTRACTS_DIR}/ lists other files than the contracts make: ${RUN}`);
  for (const [name, text] of artifacts) {
    assert.ok((await readFile(join(directory, name), 'utf8')) === text, `${CONTRACTS_DIR}/${name} differs from what the code generates: ${RUN}`);
  }
});
