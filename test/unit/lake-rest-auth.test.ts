/**
 * REST catalog credentials from the flags of every catalog command: a bearer token is sent
 * on every request; client credentials are exchanged at /v1/oauth/tokens once, and again
 * when the token is due for renewal. A local server on 127.0.0.1 stands in for the catalog.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { catalogFromFlags, WAREHOUSE_FLAGS } from '../../src/cli/catalog-flags.js';
import { NoSuchTableError } from '../../src/lake/catalog/catalog.js';

interface Seen {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly form?: Record<string, string>;
}

let seen: Seen[] = [];
/** The token endpoint's answer: status and body. */
let tokenAnswer: () => [number, object];
let issued = 0;
let uri: string;

const server = createServer(async (request: IncomingMessage, response) => {
  const path = new URL(request.url!, 'http://x').pathname;
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const json = (status: number, body: object) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (path === '/v1/oauth/tokens') {
    seen.push({ path, authorization: request.headers.authorization, form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())) });
    return json(...tokenAnswer());
  }
  seen.push({ path, authorization: request.headers.authorization });
  if (path === '/v1/config') return json(200, { defaults: {}, overrides: {} });
  json(404, { error: { message: 'Table does not exist', type: 'NoSuchTableException', code: 404 } });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
beforeEach(() => {
  seen = [];
  issued = 0;
  tokenAnswer = () => [200, { access_token: `issued-${++issued}`, token_type: 'bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', expires_in: 3600 }];
});

const EDGES = { namespace: ['graph'], name: 'edges' };

async function catalogOf(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return catalogFromFlags(parseArgs(['--catalog-uri', uri, '--catalog-wait', '1s', ...args], WAREHOUSE_FLAGS, env).flags);
}

test('a token from LAKEGRAPH_CATALOG_TOKEN or --catalog-token goes with every request', async () => {
  for (const [args, env] of [[[], { LAKEGRAPH_CATALOG_TOKEN: 'env-token' }], [['--catalog-token', 'flag-token'], { LAKEGRAPH_CATALOG_CREDENTIAL: 'ignored:secret' }]] as const) {
    seen = [];
    const catalog = await catalogOf(args, env);
    await assert.rejects(catalog.loadTable(EDGES), NoSuchTableError);
    assert.ok(seen.length > 0);
    const expected = args.length > 0 ? 'Bearer flag-token' : 'Bearer env-token';
    assert.deepEqual(seen.map((s) => [s.path, s.authorization]), seen.map((s) => [s.path, expected]));
  }
});

test('client credentials are exchanged once for a token that every request then carries', async () => {
  const catalog = await catalogOf(['--catalog-credential', 'lakegraph:se:cret', '--catalog-scope', 'PRINCIPAL_ROLE:ALL']);
  await Promise.all([catalog.loadTable(EDGES), catalog.loadTable(EDGES), catalog.loadTable(EDGES)].map((p) => assert.rejects(p, NoSuchTableError)));
  const [exchange, ...requests] = seen;
  assert.deepEqual(exchange, {
    path: '/v1/oauth/tokens',
    authorization: undefined,
    form: { grant_type: 'client_credentials', client_id: 'lakegraph', client_secret: 'se:cret', scope: 'PRINCIPAL_ROLE:ALL' },
  });
  assert.equal(requests.length, 3);
  for (const request of requests) assert.equal(request.authorization, 'Bearer issued-1');
});

test('a token is renewed before it expires', async () => {
  tokenAnswer = () => [200, { access_token: `issued-${++issued}`, token_type: 'bearer', expires_in: 1 }];
  const catalog = await catalogOf([], { LAKEGRAPH_CATALOG_CREDENTIAL: 'lakegraph:secret' });
  await assert.rejects(catalog.loadTable(EDGES), NoSuchTableError);
  await assert.rejects(catalog.loadTable(EDGES), NoSuchTableError);
  await sleep(950);
  await assert.rejects(catalog.loadTable(EDGES), NoSuchTableError);
  assert.deepEqual(seen.map((s) => s.authorization ?? s.path), ['/v1/oauth/tokens', 'Bearer issued-1', 'Bearer issued-1', '/v1/oauth/tokens', 'Bearer issued-2']);
});

test('refused client credentials fail with the server’s reason and without the secret', async () => {
  tokenAnswer = () => [401, { error: 'invalid_client', error_description: 'unknown client' }];
  const catalog = await catalogOf(['--catalog-credential', 'lakegraph:hunter2']);
  await assert.rejects(catalog.loadTable(EDGES), (error: Error) => {
    assert.match(error.message, /refused the client credentials of lakegraph \(HTTP 401 invalid_client: unknown client\)/);
    assert.doesNotMatch(error.message, /hunter2/);
    return true;
  });
});

test('unusable credential settings are usage errors', async () => {
  for (const [args, env] of [
    [['--catalog-credential', 'no-colon'], {}],
    [['--catalog-credential', ':secret'], {}],
    [['--catalog-credential', 'id:'], {}],
    [[], { LAKEGRAPH_CATALOG_TOKEN: 't', LAKEGRAPH_CATALOG_CREDENTIAL: 'id:secret' }],
  ] as const) {
    await assert.rejects(catalogOf(args, env), UsageError, `${args.join(' ')} ${JSON.stringify(env)}`);
  }
  assert.throws(() => parseArgs(['--catalog-token', 't', '--catalog-credential', 'id:secret'], WAREHOUSE_FLAGS, {}), UsageError);
});
