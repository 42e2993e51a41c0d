/** `lakegraph serve`: the graph queries over HTTP (127.0.0.1 unless --host says otherwise), over snapshot ∪ Kafka tail. */
import { PastSessions } from '../query/past-sessions.js';
import { QueryServer } from '../query/http/query-server.js';
import { DEFAULT_MAX_WATCHERS } from '../query/http/watch-route.js';
import { QuerySession } from '../query/query-session.js';
import { TAIL_RETRY, withOwnConnections } from '../stream/kafka/kafka-client.js';
import { jsonLog } from '../stream/metrics/json-log.js';
import { DEFAULT_INDEX_WINDOW } from '../query/index/index-window.js';
import { parseDurationMs, UsageError, type FlagValues } from './args.js';
import { KAFKA_FLAGS, kafkaFromFlags } from './broker-flags.js';
import { WAREHOUSE_FLAGS, existingWarehouseFromFlags } from './catalog-flags.js';
import type { Command } from './command.js';
import { exitRegardlessAfter } from './exit-regardless.js';
import { hostFlag, isLoopback, listenAddressFromFlags, listenUrl, type ListenAddress } from './listen-flags.js';
import { SECURITY_FLAGS, serveSecurityFromFlags, type ServeSecurity } from './serve-security.js';
import { TAIL_TOPIC_FLAGS, tailedTopicsFromFlags } from './tail-flags.js';

/** After a stop, how long kafkajs's pending retries (with the broker down) may delay the exit. */
const EXIT_GRACE_MS = 500;

/** Index loads of fewer files (a streaming commit's) are not worth a log line. */
const LARGE_INDEX_LOAD_FILES = 50;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Answer the graph queries over HTTP (JSON), with /healthz and Prometheus /metrics.',
  usage: 'lakegraph serve [--port 8080] [--host ADDR] [--auth-token-file F] [--tls-cert F --tls-key F] [--brokers H:P [--kafka-tls …] [--kafka-sasl-mechanism M …] [--topic T [--contract C]] | --no-tail] [--index-window 7d] [--warehouse DIR | --catalog-uri URL]',
  flags: [
    { name: 'port', kind: 'int', placeholder: 'N', default: 8080, help: 'TCP port (0: any free port)' },
    hostFlag('host', 'the service'),
    ...SECURITY_FLAGS,
    ...KAFKA_FLAGS,
    { name: 'no-tail', kind: 'boolean', help: 'serve the committed snapshot only, without reading Kafka' },
    ...TAIL_TOPIC_FLAGS,
    ...WAREHOUSE_FLAGS,
    {
      name: 'index-window',
      kind: 'string',
      placeholder: 'D|all',
      default: DEFAULT_INDEX_WINDOW,
      help: 'hold in memory the edge rows last seen within D (from the start of that UTC day); wider windows read the data files; all: every row',
    },
    { name: 'refresh-ms', kind: 'int', placeholder: 'N', default: 200, help: 'how often to look for a newer snapshot' },
    { name: 'query-timeout-ms', kind: 'int', placeholder: 'N', default: 5_000, help: 'interrupt a query after N ms (503)' },
    { name: 'max-watchers', kind: 'int', placeholder: 'N', default: DEFAULT_MAX_WATCHERS, help: 'open /v1/watch streams at most; more get 503 (0: none)' },
  ],
  async run(flags) {
    // --port has a default, so there is always an address.
    const address = listenAddressFromFlags(flags, 'host', 'port') as ListenAddress;
    const security = serveSecurityFromFlags(flags);
    if ((flags['query-timeout-ms'] as number) < 1) throw new UsageError('--query-timeout-ms: give 1 or more milliseconds');
    if ((flags['max-watchers'] as number) < 0) throw new UsageError('--max-watchers: give 0 or more open watch streams');
    indexWindowFromFlags(flags);
    // Kafka connections kafkajs orphans after a broker restart must not keep the process alive.
    return withOwnConnections(() => serve(flags, address, security));
  },
};

async function serve(flags: FlagValues, address: ListenAddress, security: ServeSecurity): Promise<number> {
  const log = jsonLog('info');
  const catalog = await existingWarehouseFromFlags(flags);
  // The tail starts in the background: a broker that is down must not keep the snapshot from being served.
  const hot = flags['no-tail'] ? undefined : { kafka: await kafkaFromFlags(flags, 'lakegraph-serve', log, TAIL_RETRY), topics: tailedTopicsFromFlags(flags), log };
  const indexStarted = performance.now();
  let lastProgress = 0;
  const session = await QuerySession.open({
    catalog,
    hot,
    edgeIndex: {
      windowMs: indexWindowFromFlags(flags),
      // A large load (start-up, a compaction's rewrite) takes seconds: say how far it is, at most every 2 s.
      onProgress: ({ filesLoaded, filesToLoad, rowsLoaded }) => {
        if (filesToLoad < LARGE_INDEX_LOAD_FILES || (performance.now() - lastProgress < 2_000 && filesLoaded < filesToLoad)) return;
        lastProgress = performance.now();
        log('info', 'indexing edges', { filesLoaded, filesToLoad, rowsLoaded });
      },
    },
  });
  const { indexedEdgeRows, indexWindowStart } = session.stats();
  log('info', 'edge index ready', { rows: indexedEdgeRows, windowStart: indexWindowStart, seconds: Number(((performance.now() - indexStarted) / 1000).toFixed(1)) });
  const past = new PastSessions(catalog);
  const server = new QueryServer({ session, past, ...address, ...security, queryTimeoutMs: flags['query-timeout-ms'] as number, maxWatchers: flags['max-watchers'] as number });
  const bound = await server.listen();
  log('info', 'serving', { url: listenUrl(security.tls ? 'https' : 'http', address.host, bound), tail: hot !== undefined, auth: security.authToken !== undefined });
  if (security.authToken !== undefined && security.tls === undefined && !isLoopback(address.host)) {
    log('warn', 'the bearer token crosses the network in clear text; give --tls-cert and --tls-key unless a proxy or mesh encrypts it');
  }
  const refresher = setInterval(() => {
    session.refresh().then(
      (swapped) => swapped && log('debug', 'snapshot swapped', { ...session.stats() }),
      (error) => log('warn', 'snapshot refresh failed', { error: error instanceof Error ? error.message : String(error) }),
    );
  }, flags['refresh-ms'] as number);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(refresher);
  await server.close();
  await Promise.all([session.close(), past.close()]);
  log('info', 'stopped');
  exitRegardlessAfter(EXIT_GRACE_MS, 0);
  return 0;
}

/** --index-window as ms, undefined for `all`; refused unless a positive duration. */
function indexWindowFromFlags(flags: FlagValues): number | undefined {
  const text = flags['index-window'] as string;
  if (text === 'all') return undefined;
  const ms = parseDurationMs(text, '--index-window');
  if (ms <= 0) throw new UsageError(`--index-window: "${text}" is no window; give a positive duration such as 7d, or all`);
  return ms;
}
