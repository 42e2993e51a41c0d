/**
 * Local services of a test's own — infra/local/up and down with a private state directory
 * and free ports (infra/local/lib.sh) — for tests that stop, pause or restart a service:
 * the shared ones of docs/CONTRACTS.md §5, which other tests and people use, never go down.
 */
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { RoutingFileIO } from '../../src/lake/io/routing-file-io.js';
import { REPO_ROOT } from './services.js';

/** A lake on this set's REST catalog and object store, as a lakegraph process (`env`) and the test itself (`io`, `catalog`) reach it. */
export interface PrivateLake {
  readonly env: Record<string, string>;
  readonly io: RoutingFileIO;
  readonly catalog: RestCatalog;
}

export type LocalService = 'kafka' | 'object-store' | 'rest-catalog';

/** `work`, or a failure naming `what` once `ms` have passed without it settling. */
export async function step<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ports nothing listens on right now (held together, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** More for a private broker than the plain listener (infra/local/lib.sh): what a test of TLS and SASL needs. */
export interface BrokerExtras {
  /** A file of broker properties appended to infra/local/kafka/server.properties; @KAFKA_PORT@ and @KAFKA_CONTROLLER_PORT@ are filled in. */
  readonly config: string;
  /** SCRAM credentials made when the broker's storage is formatted, e.g. `SCRAM-SHA-512=[name=U,password=P]`. */
  readonly scramCredentials?: readonly string[];
}

export class PrivateServices {
  private constructor(
    readonly stateDir: string,
    /** LAKEGRAPH_LOCAL_STATE and the ports, for infra/local scripts. */
    readonly env: Record<string, string>,
  ) {}

  static async create(broker?: BrokerExtras): Promise<PrivateServices> {
    const [kafka, controller, objectStore, catalog] = await freePorts(4);
    const stateDir = await mkdtemp(join(tmpdir(), 'lakegraph-services-'));
    return new PrivateServices(stateDir, {
      LAKEGRAPH_LOCAL_STATE: stateDir,
      LAKEGRAPH_KAFKA_PORT: String(kafka),
      LAKEGRAPH_KAFKA_CONTROLLER_PORT: String(controller),
      LAKEGRAPH_OBJECT_STORE_PORT: String(objectStore),
      LAKEGRAPH_CATALOG_PORT: String(catalog),
      ...(broker && { LAKEGRAPH_KAFKA_EXTRA_CONFIG: broker.config, LAKEGRAPH_KAFKA_SCRAM_USERS: (broker.scramCredentials ?? []).join('\n') }),
    });
  }

  /** A set made earlier from its `env`, e.g. one a benchmark kept between runs. */
  static of(env: Record<string, string>): PrivateServices {
    return new PrivateServices(env['LAKEGRAPH_LOCAL_STATE']!, env);
  }

  get brokers(): string {
    return `127.0.0.1:${this.env['LAKEGRAPH_KAFKA_PORT']}`;
  }

  get catalogUri(): string {
    return `http://127.0.0.1:${this.env['LAKEGRAPH_CATALOG_PORT']}`;
  }

  get objectStoreEndpoint(): string {
    return `http://127.0.0.1:${this.env['LAKEGRAPH_OBJECT_STORE_PORT']}`;
  }

  lake(): PrivateLake {
    const io = new RoutingFileIO();
    io.configure({ 's3.endpoint': this.objectStoreEndpoint });
    return {
      env: { AWS_ENDPOINT_URL_S3: this.objectStoreEndpoint, LAKEGRAPH_CATALOG_URI: this.catalogUri },
      io,
      catalog: new RestCatalog({ uri: this.catalogUri, io }),
    };
  }

  /** Starts the services (fetching and formatting what they need the first time); resolves once they answer. */
  up(...services: LocalService[]): Promise<void> {
    return step(`infra/local/up ${services.join(' ')}`, 180_000, this.script('up', services));
  }

  down(...services: LocalService[]): Promise<void> {
    return step(`infra/local/down ${services.join(' ')}`, 60_000, this.script('down', services));
  }

  /** The pid of a running service, for a test that pauses it (SIGSTOP/SIGCONT). */
  async pidOf(service: LocalService): Promise<number> {
    return Number((await readFile(join(this.stateDir, `${service}.pid`), 'utf8')).trim());
  }

  async remove(): Promise<void> {
    await rm(this.stateDir, { recursive: true, force: true });
  }

  private async script(name: 'up' | 'down', services: readonly LocalService[]): Promise<void> {
    await promisify(execFile)(join(REPO_ROOT, 'infra', 'local', name), [...services], { env: { ...process.env, ...this.env } });
  }
}

/**
 * Private services for one test file (call at its top level): `up()` creates and starts
 * them; they stop when the file's tests end, and their state and logs are removed only if
 * `passed()` was called — otherwise kept, and where is said.
 */
export function privateServicesOfFile(...services: LocalService[]): { up(): Promise<PrivateServices>; passed(): void } {
  let started: PrivateServices | undefined;
  let passed = false;
  after(async () => {
    if (started === undefined) return;
    await started.down(...[...services].reverse());
    if (passed) await started.remove();
    else console.log(`kept the private services' state and logs in ${started.stateDir}`);
  });
  return {
    async up() {
      started = await PrivateServices.create();
      await started.up(...services);
      return started;
    },
    passed: () => {
      passed = true;
    },
  };
}
