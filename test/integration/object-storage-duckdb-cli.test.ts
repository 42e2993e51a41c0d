/**
 * `lakegraph duckdb-init` on a lake in object storage behind a REST catalog (the test's
 * own catalog and store): the script loads httpfs and an S3 secret whose keys the DuckDB
 * CLI reads from the AWS variables when it runs, so the real CLI, with the venv's
 * extensions and no network, runs every sql/ file there; member_activity agrees with a
 * lakegraph session. Without the keys in its environment the CLI cannot read the lake,
 * and `--include-credentials` writes them into the script.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseGraphRequest } from '../../src/query/graph-request.js';
import { QuerySession } from '../../src/query/query-session.js';
import { RecordGenerator } from '../../src/stream/generator/record-generator.js';
import { runCli } from '../support/cli-process.js';
import { oracle } from '../support/oracle.js';
import { PrivateS3Lake } from '../support/private-s3-lake.js';
import { duckdbExtensionDirectory } from '../support/services.js';
import { activityKeys, assertEverySqlFileRuns, cliRows, sqlLibraryVariables } from '../support/sql-library-cli.js';

const GENERATOR = { events: 15_000, seed: 21, partitions: 4, baseTs: Date.UTC(2026, 10, 29, 8) };

let scratch: string | undefined;
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the DuckDB CLI runs every sql/ file over `duckdb-init` of an S3 lake behind a REST catalog', { timeout: 480_000 }, async () => {
  const lake = await PrivateS3Lake.create(GENERATOR);
  scratch = await mkdtemp(join(tmpdir(), 'lakegraph-duckdb-s3-'));
  const truth = oracle([...new RecordGenerator(GENERATOR)]);
  const newest = Math.max(...[...truth.edges.values()].map((e) => e.last_seen));

  const initScript = async (name: string, ...flags: string[]): Promise<string> => {
    const run = await runCli(['duckdb-init', '--extension-dir', await duckdbExtensionDirectory(), ...flags], lake.env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'the keys in use are the environment\'s: no warning');
    const file = join(scratch!, name);
    await writeFile(file, run.stdout);
    return run.stdout;
  };
  const script = await initScript('init.sql');
  assert.match(script, /^LOAD httpfs;$/m);
  const endpoint = new URL(lake.services.objectStoreEndpoint).host;
  assert.match(script, new RegExp(`CREATE OR REPLACE SECRET lakegraph_s3 \\(TYPE s3, KEY_ID getenv\\('AWS_ACCESS_KEY_ID'\\), SECRET getenv\\('AWS_SECRET_ACCESS_KEY'\\), .*ENDPOINT '${endpoint}', USE_SSL false, URL_STYLE 'path'\\);`));
  assert.doesNotMatch(script, new RegExp(process.env.AWS_SECRET_ACCESS_KEY ?? 'lakegraph-secret'), 'no secret in the script');

  // The CLI reads the lake with the AWS variables of its own environment (infra/local/env's keys, the private store).
  const storeEnv = { AWS_ENDPOINT_URL_S3: lake.services.objectStoreEndpoint };
  const account = [...truth.edges.values()].find((e) => e.edge_type === 'has_profile')!;
  const variables = sqlLibraryVariables(account, newest);
  const initFile = join(scratch, 'init.sql');
  // compaction_effect describes compactions, and this lake has had none.
  assertEverySqlFileRuns(initFile, variables, new Set(['compaction_effect']), storeEnv);

  const session = await QuerySession.open({ catalog: lake.catalog });
  try {
    const request = parseGraphRequest('member-activity', { account: account.src_id, since: '1d' }, newest);
    assert.ok(request.ok);
    const viaSession = await session.graphQuery(request.request);
    assert.deepEqual(activityKeys(cliRows(initFile, 'member_activity', variables, storeEnv)), viaSession.edges.map((e) => [e.edge_type, e.src_id, e.dst_id, e.event_count]));
  } finally {
    await session.close();
  }

  assert.throws(() => cliRows(initFile, 'top_titles', variables, { ...storeEnv, AWS_SECRET_ACCESS_KEY: 'not-the-secret' }), /HTTP 403/);
  await initScript('with-keys.sql', '--include-credentials');
  assert.ok(cliRows(join(scratch, 'with-keys.sql'), 'top_titles', variables, { ...storeEnv, AWS_SECRET_ACCESS_KEY: 'not-the-secret' }).length > 0, 'the keys are in the script');
  lake.passed();
});
