/**
 * The OpenAPI 3.1 description of `lakegraph serve` (src/query/http/query-server.ts). The
 * options are generated from the zod schemas the server validates with; the answers are
 * written here in zod, each checked by the compiler against the type the server sends (a
 * field added there and not here fails the build).
 */
import { z } from 'zod';
import { EDGE_TYPES, NODE_TYPES } from '../../src/graph/model.js';
import { AS_OF_HELP } from '../../src/query/as-of.js';
import { DEFAULT_FANOUT, MAX_PATH_HOPS, QUERY_NAMES, REQUEST_SCHEMAS, type QueryName } from '../../src/query/graph-request.js';
import type { GraphEdge, GraphResult, PathNode } from '../../src/query/graph-result.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_TIMEOUT_MS } from '../../src/query/http/query-server.js';
import { DEFAULT_MAX_WATCHERS, HEARTBEAT_MS, MAX_BUFFERED_BYTES, WATCH_ROUTE } from '../../src/query/http/watch-route.js';
import { RESUME_EVENTS } from '../../src/query/watch/member-feed.js';
import { LINGER_MS } from '../../src/query/watch/member-feeds.js';
import type { SessionStats } from '../../src/query/query-session.js';

type JsonSchema = Record<string, unknown>;

const instant = z.iso.datetime().meta({ description: 'ISO-8601, UTC' });

// Answers are open objects: a field added later must not break a client that validates them.
const graphEdge = z
  .looseObject({
    edge_type: z.enum(EDGE_TYPES),
    src_type: z.enum(NODE_TYPES),
    src_id: z.string(),
    dst_type: z.enum(NODE_TYPES),
    dst_id: z.string(),
    first_seen: instant,
    last_seen: instant,
    event_count: z.int().min(1).meta({ description: 'distinct events behind the edge, over all time' }),
  })
  .meta({ description: 'One edge, aggregated by key over snapshot and hot tail (docs/CONTRACTS.md §3).' }) satisfies z.ZodType<GraphEdge>;

const pathNode = z.looseObject({ node_type: z.enum(NODE_TYPES), node_id: z.string() }) satisfies z.ZodType<PathNode>;

const graphResult = z
  .looseObject({
    edges: z.array(graphEdge).meta({ description: 'newest last_seen first' }),
    path: z.array(pathNode).optional().meta({ description: 'path only: the nodes from `from` to `to`; empty when no path is that short' }),
  })
  .meta({ description: 'The answer of a graph query (docs/CONTRACTS.md §4).' }) satisfies z.ZodType<GraphResult>;

const health = z.looseObject({
  status: z.literal('ok'),
  hotEdgeRows: z.int().min(0),
  hotNodeRows: z.int().min(0),
  swaps: z.int().min(0).meta({ description: 'newer snapshots swapped in since start' }),
  indexedEdgeRows: z.int().min(0).nullable().meta({ description: 'committed edge rows in the edge index' }),
  indexWindowStart: z.string().nullable().meta({ description: 'ISO-8601: the edge index holds the rows last seen from here on (serve --index-window); null without a window' }),
  answeredBy: z
    .object({ index: z.int().min(0), lake: z.int().min(0) })
    .meta({ description: 'graph requests answered from the in-memory edge index and from the data files, since start' }),
  snapshotIds: z
    .record(z.string(), z.bigint().nullable())
    .meta({ description: 'the snapshot served, per table; null for a table without one. A 64-bit integer: tables other engines wrote to may have ids beyond 2^53' }),
  tail: z
    .object({
      state: z.enum(['connecting', 'down', 'no-topics', 'live']),
      error: z.string().optional().meta({ description: 'why the tail is down' }),
    })
    .nullable()
    .meta({ description: "the Kafka tail's state; null without a tail. The snapshot is served whatever it is" }),
}) satisfies z.ZodType<SessionStats & { status: 'ok' }>;

const error = z.looseObject({
  error: z.string(),
  issues: z.array(z.string()).optional().meta({ description: 'invalid options: one line each, starting with the name of the option' }),
});

const SUMMARIES: Readonly<Record<QueryName, string>> = {
  'member-activity':
    "A member's edges in the window (default: the last 5 minutes). With account: the edges out of the account and out of its profiles; with profile: the edges out of the profile plus the has_profile edge into it. Give exactly one of the two.",
  neighbors: 'Every edge into or out of a node, optionally of one edge type; window default: all time.',
  khop: `The edges reached from a node following source to destination, up to hops steps; per node and step at most fanout edges (default ${DEFAULT_FANOUT}), the newest.`,
  path: `A shortest path between two nodes of at most max-hops edges (default ${MAX_PATH_HOPS}): its edges, and its nodes as \`path\`.`,
};

/** `member-activity` → `memberActivity`. */
const operationId = (query: QueryName) => query.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const requestName = (query: QueryName) => `${operationId(query).replace(/^./, (c) => c.toUpperCase())}Request`;

/** Every schema the document names, converted together so that they refer to each other by $ref. */
function componentSchemas(): Record<string, JsonSchema> {
  const components = z.registry<{ id: string }>();
  for (const query of QUERY_NAMES) components.add(REQUEST_SCHEMAS[query], { id: requestName(query) });
  components.add(graphEdge, { id: 'GraphEdge' }).add(pathNode, { id: 'PathNode' }).add(graphResult, { id: 'GraphResult' });
  components.add(health, { id: 'Health' }).add(error, { id: 'Error' });
  // `input`: requests as the client sends them (before the server turns `hops` into a number).
  const { schemas } = z.toJSONSchema(components, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    // A bigint is sent as a JSON integer, digit for digit (common/lossless-json.ts).
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'bigint') Object.assign(jsonSchema, { type: 'integer', format: 'int64' });
    },
  });
  // The document names the dialect once (OpenAPI 3.1: JSON Schema 2020-12), and each schema by its key.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]));
}

const json = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });
const failure = (description: string) => ({ description, content: json('Error') });

/** The answers every query route may give, by status. */
const QUERY_RESPONSES = {
  '200': { description: 'the answer', content: json('GraphResult') },
  '400': failure('invalid options; `issues` says which and why'),
  '401': failure('serve has a token and the request did not carry it as `Authorization: Bearer <token>` (or carried one in the query string)'),
  '413': failure(`a POST body over ${DEFAULT_MAX_BODY_BYTES} bytes`),
  '404': failure('as_of names a snapshot no graph table holds, or a moment whose snapshots expired; the error names the oldest still held'),
  '422': failure('the neighbourhood the query would read is too large; narrow it'),
  '500': failure('the query failed'),
  '503': failure(`the query ran past the timeout (serve --query-timeout-ms, default ${DEFAULT_QUERY_TIMEOUT_MS} ms) and was interrupted`),
};
const responseRefs = Object.fromEntries(Object.keys(QUERY_RESPONSES).map((status) => [status, { $ref: `#/components/responses/${status}` }]));

/** Not a query option but a choice of snapshots, so it is not in the request schemas (docs/CONTRACTS.md §7). */
const AS_OF_PARAMETER = {
  name: 'as_of',
  in: 'query',
  required: false,
  description: `the graph as it was then, with no hot tail: ${AS_OF_HELP}`,
  schema: { type: 'string' },
};

/** A property of a request schema as an OpenAPI query parameter: its description beside its schema. */
const queryParameter = (name: string, required: boolean, { description, ...schema }: JsonSchema) => ({ name, in: 'query', required, description, schema });

function queryPath(query: QueryName, request: JsonSchema) {
  const properties = request['properties'] as Record<string, JsonSchema>;
  const required = new Set(request['required'] as string[] | undefined);
  return {
    get: {
      operationId: operationId(query),
      summary: SUMMARIES[query],
      parameters: [
        ...Object.entries(properties).map(([name, property]) => queryParameter(name, required.has(name), property)),
        AS_OF_PARAMETER,
      ],
      responses: responseRefs,
    },
    post: {
      operationId: `${operationId(query)}Post`,
      summary: `${SUMMARIES[query]} The options as a JSON object.`,
      requestBody: { required: false, content: json(requestName(query)) },
      responses: responseRefs,
    },
  };
}

/** The watch route's options: member-activity's account (required) and since (docs/CONTRACTS.md §7). */
function watchPath(memberActivity: JsonSchema) {
  const properties = memberActivity['properties'] as Record<string, JsonSchema>;
  const option = (name: string, required: boolean) => queryParameter(name, required, properties[name]!);
  return {
    get: {
      operationId: 'watchMemberActivity',
      summary:
        "One account's member-activity as Server-Sent Events, kept open: first a `snapshot` event (data: the GraphResult of GET /v1/query/member-activity for the window), " +
        'then an `edge` event (data: the GraphEdge after the change) each time one of its edges changes, in the Kafka tail or a new snapshot; ' +
        `\`since\` bounds the snapshot only. Every event has \`id: <feed>.<n>\`; a comment line every ${HEARTBEAT_MS / 1000} s.`,
      parameters: [
        option('account', true),
        option('since', false),
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          description: `resume after this event: the events after it, with no snapshot, while the service holds them (the account's last ${RESUME_EVENTS}, for ${LINGER_MS / 1000} s after its last watcher left); else a fresh snapshot first`,
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: `the event stream; a client leaving more than ${MAX_BUFFERED_BYTES} bytes unread is cut off (and may resume)`,
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/400' },
        '401': { $ref: '#/components/responses/401' },
        '500': failure("the account's edges could not be read"),
        '503': failure(`as many streams open as serve --max-watchers allows (default ${DEFAULT_MAX_WATCHERS})`),
      },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  const schemas = componentSchemas();
  return {
    openapi: '3.1.0',
    info: {
      title: 'lakegraph serve',
      version: '1',
      description:
        'The graph queries of `lakegraph query` over HTTP, over the committed snapshot and the Kafka tail after it. ' +
        'Options are the CLI flags without the leading dashes; `edge-type`, `edge_type` and `edgetype` name the same option, ' +
        'and a JSON body may give numbers where strings are shown. docs/CONTRACTS.md §4.',
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'serve listens on 127.0.0.1 unless --host names another address; --port sets the port; HTTPS with --tls-cert and --tls-key' }],
    // Anonymous, or the bearer token when serve has one (it then requires it).
    security: [{}, { bearer: [] }],
    paths: {
      ...Object.fromEntries(QUERY_NAMES.map((query) => [`/v1/query/${query}`, queryPath(query, schemas[requestName(query)]!)])),
      [WATCH_ROUTE]: watchPath(schemas[requestName('member-activity')]!),
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Answers 200 while the query session does, with its figures. Open without a token, for probes.',
          security: [],
          responses: { '200': { description: 'healthy', content: json('Health') } },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics: latency histogram and outcomes per query, hot tier rows, snapshot swaps, open and dropped watch streams; process CPU, memory, heap, GC and event-loop delay.',
          responses: {
            '200': { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } },
            '401': { $ref: '#/components/responses/401' },
          },
        },
      },
    },
    components: {
      schemas,
      responses: QUERY_RESPONSES,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'required on every route but /healthz when serve runs with --auth-token-file or LAKEGRAPH_AUTH_TOKEN' },
      },
    },
  };
}
