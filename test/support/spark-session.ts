/**
 * A Spark session (PySpark 4.0 with Iceberg's Spark runtime, infra/spark/setup) that a
 * test drives by commands, one process and so one JVM start for the whole test:
 * `test/integration/spark_maintenance.py` reads the graph tables and runs Iceberg's
 * maintenance procedures on them through the REST catalog (Spark catalog `rest`) and the
 * filesystem layout (Spark catalog `hadoop`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { parseJson } from '../../src/common/lossless-json.js';
import type { ReaderView } from './reader-aggregates.js';
import { REPO_ROOT, VENV_PYTHON } from './services.js';

export type SparkCatalog = 'rest' | 'hadoop';

/** What CALL system.rewrite_data_files answers, per table. */
export type RewriteResult = Record<'edges' | 'nodes', { rewritten_data_files_count: number; added_data_files_count: number; failed_data_files_count: number }>;
/** What CALL system.expire_snapshots answers, per table. */
export type ExpireResult = Record<'edges' | 'nodes', { deleted_data_files_count: number; deleted_manifest_lists_count: number }>;
/** Per table, oldest first: [snapshot id, parent id, operation]. */
export type SparkSnapshots = Record<'edges' | 'nodes', Array<[bigint | number, bigint | number | null, string]>>;

interface Commands {
  read: ReaderView;
  rewrite: RewriteResult;
  expire: ExpireResult;
  snapshots: SparkSnapshots;
}

const sessions = new Set<ChildProcess>();
after(() => {
  for (const child of sessions) child.kill('SIGKILL');
});

/** PySpark in the venv and the jars Spark needs (fetched and installed the first time): `spark.jars`. */
async function sparkJars(): Promise<string> {
  const { stdout } = await promisify(execFile)(join(REPO_ROOT, 'infra/spark/setup'), [], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  return stdout.trimEnd().split('\n').pop()!;
}

export class SparkSession {
  private stderr = '';
  private readonly replies: AsyncIterator<string>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-20_000)));
    const lines = createInterface({ input: child.stdout! });
    // Only the script's answers: the JVM may print to stdout too.
    this.replies = (async function* () {
      for await (const line of lines) if (line.startsWith('{"reply":')) yield line;
    })();
  }

  /**
   * Starts Spark with a REST catalog (`rest`, files in the S3 store `env`'s AWS variables
   * name) and/or a filesystem-layout warehouse (`hadoop`); resolves once the session is up.
   * `logFile` receives Spark's log (its stderr).
   */
  static async start(catalogs: { rest?: string; hadoop?: string }, logFile: string, env: Readonly<Record<string, string>> = {}): Promise<SparkSession> {
    const jars = await sparkJars();
    const args = [
      ...(catalogs.rest === undefined ? [] : ['--rest', catalogs.rest]),
      ...(catalogs.hadoop === undefined ? [] : ['--hadoop', catalogs.hadoop]),
    ];
    const child = spawn(VENV_PYTHON, [join(REPO_ROOT, 'test/integration/spark_maintenance.py'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LAKEGRAPH_SPARK_JARS: jars },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.pipe(createWriteStream(logFile));
    sessions.add(child);
    child.once('exit', () => sessions.delete(child));
    const session = new SparkSession(child);
    await session.reply();
    return session;
  }

  /** Runs one command of spark_maintenance.py; commands run one after another. */
  ask<C extends keyof Commands>(command: C, catalog: SparkCatalog): Promise<Commands[C]> {
    const answer = this.queue.then(() => {
      this.child.stdin!.write(`${command} ${catalog}\n`);
      return this.reply() as Promise<Commands[C]>;
    });
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }

  private async reply(): Promise<unknown> {
    const next = await this.replies.next();
    if (next.done) throw new Error(`spark_maintenance.py ended (exit ${this.child.exitCode}) without answering:\n${this.stderr}`);
    // Spark prints other engines' 64-bit snapshot ids as they are: keep them exact.
    return (parseJson(next.value) as { reply: unknown }).reply;
  }
}
