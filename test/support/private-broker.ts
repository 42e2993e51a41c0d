/**
 * A KRaft broker of a test's own, for tests that stop Kafka: run by infra/local/up and
 * down with a private state directory and free ports (see infra/local/lib.sh), so the
 * shared broker of CONTRACTS §5, which other tests and people use, never goes down.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './services.js';

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

/** A KRaft broker of this test's own, run by infra/local/up and down with a private state directory and ports. */
export class PrivateBroker {
  private constructor(
    readonly address: string,
    readonly stateDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async create(): Promise<PrivateBroker> {
    const [port, controllerPort] = await freePorts(2);
    const stateDir = await mkdtemp(join(tmpdir(), 'lakegraph-broker-'));
    return new PrivateBroker(`127.0.0.1:${port}`, stateDir, {
      LAKEGRAPH_LOCAL_STATE: stateDir,
      LAKEGRAPH_KAFKA_PORT: String(port),
      LAKEGRAPH_KAFKA_CONTROLLER_PORT: String(controllerPort!),
    });
  }

  /** Starts it (formatting the storage the first time) and resolves once it answers. */
  up(): Promise<void> {
    return step(`infra/local/up kafka (${this.address})`, 120_000, this.script('up'));
  }

  down(): Promise<void> {
    return step(`infra/local/down kafka (${this.address})`, 60_000, this.script('down'));
  }

  private async script(name: 'up' | 'down'): Promise<void> {
    await promisify(execFile)(join(REPO_ROOT, 'infra', 'local', name), ['kafka'], { env: { ...process.env, ...this.env } });
  }
}
