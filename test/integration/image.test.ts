/**
 * The Dockerfile builds an image that runs, checked without a container runtime: each
 * stage's COPY lines are staged into a directory of their own, exactly as written (and
 * .dockerignore must let each source through); the build stage compiles there against
 * the checkout's node_modules (what its `npm ci` installs from the same lock); the runtime
 * stage runs its own `npm ci` line against the registry, takes the build stage's output
 * as its `COPY --from` says, and then `lakegraph --help` and a small demo run from it, on
 * the ENTRYPOINT's path. A file the runtime needs that no COPY brings, or a devDependency
 * it loads, fails here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, withTempDir } from '../support/services.js';

/** What this test stages of one stage, as the Dockerfile says it. */
interface Stage {
  name: string | undefined;
  workdir: string;
  /** `dest` absolute: resolved against the WORKDIR of the moment, as `cwd` of each RUN. */
  copies: Array<{ from: string | undefined; sources: string[]; dest: string }>;
  runs: Array<{ command: string; cwd: string }>;
  entrypoint: string[] | undefined;
}

/** The instructions this test stages, per stage; continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const instructions = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of instructions) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line)!;
    const stage = stages.at(-1);
    switch (keyword!.toUpperCase()) {
      case 'FROM':
        stages.push({ name: /\bAS\s+(\S+)$/i.exec(rest!)?.[1], workdir: '/', copies: [], runs: [], entrypoint: undefined });
        break;
      case 'WORKDIR':
        stage!.workdir = rest!.startsWith('/') ? rest! : join(stage!.workdir, rest!);
        break;
      case 'COPY': {
        const words = rest!.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const dest = paths.at(-1)!;
        // A trailing slash means "into this directory"; join would drop it.
        stage!.copies.push({ from, sources: paths.slice(0, -1), dest: dest.startsWith('/') ? dest : `${join(stage!.workdir, dest)}${dest.endsWith('/') ? '/' : ''}` });
        break;
      }
      case 'RUN':
        stage!.runs.push({ command: rest!, cwd: stage!.workdir });
        break;
      case 'ENTRYPOINT':
        stage!.entrypoint = JSON.parse(rest!) as string[];
        break;
    }
  }
  return stages;
}

const run = promisify(execFile);

test('the image stages build, install its runtime dependencies and run lakegraph', { timeout: 9 * 60_000 }, async () => {
  const stages = parseDockerfile(await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  assert.equal(stages.length, 2, 'a build stage and a runtime stage');
  const [build, runtime] = stages as [Stage, Stage];
  const ignore = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '*', '.dockerignore lets through only what it names');

  await withTempDir(async (dir) => {
    /** Where a stage's absolute path lands: each stage's filesystem is a directory of its own. */
    const rootOf = (stage: Stage) => join(dir, `stage-${stages.indexOf(stage)}`);
    const inStage = (stage: Stage, path: string) => join(rootOf(stage), path);
    async function stage(target: Stage): Promise<void> {
      for (const { from, sources, dest } of target.copies) {
        const origin = from === undefined ? undefined : stages.find((s) => s.name === from);
        if (from !== undefined) assert.ok(origin, `COPY --from=${from}: no such stage`);
        for (const source of sources) {
          if (origin === undefined) assert.ok(ignore.includes(`!${source}`), `.dockerignore keeps ${source} out of the build context`);
          const to = inStage(target, dest.endsWith('/') ? join(dest, basename(source)) : dest);
          await cp(origin === undefined ? join(REPO_ROOT, source) : inStage(origin, source), to, { recursive: true });
        }
      }
    }

    await stage(build);
    const buildInstall = build.runs.find((r) => r.command.startsWith('npm ci'))!;
    assert.match(buildInstall.command, /--ignore-scripts/, 'the build stage installs without running `prepare` before the sources are there');
    await symlink(join(REPO_ROOT, 'node_modules'), inStage(build, join(buildInstall.cwd, 'node_modules')));
    for (const { command, cwd } of build.runs.filter((r) => r !== buildInstall)) {
      await run('sh', ['-c', command], { cwd: inStage(build, cwd), env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}` } });
    }

    await stage(runtime);
    const install = runtime.runs.find((r) => r.command.startsWith('npm ci'))!;
    const npmCi = install.command.split('&&')[0]!.trim();
    assert.match(npmCi, /--omit=dev/);
    assert.match(npmCi, /--ignore-scripts/, '`prepare` needs the devDependencies the runtime leaves out');
    await run('sh', ['-c', npmCi], { cwd: inStage(runtime, install.cwd), maxBuffer: 64 << 20 });

    const [node, main] = runtime.entrypoint!;
    assert.equal(node, 'node');
    const workdir = inStage(runtime, runtime.workdir);
    await mkdir(workdir, { recursive: true });
    // No NODE_PATH: modules must come from the stage's own node_modules.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: dir };
    const lakegraph = (...args: string[]) => run(process.execPath, [inStage(runtime, main!), ...args], { cwd: workdir, env, maxBuffer: 64 << 20 });
    assert.match((await lakegraph('--help')).stdout, /usage: lakegraph <command>/);
    const demo = await lakegraph('demo', '--events', '2000', '--warehouse', join(dir, 'warehouse'));
    assert.match(demo.stdout, /Committed \d+ snapshots/, demo.stdout);
    assert.match(demo.stdout, /activity in the last 5 minutes/, demo.stdout);
  });
});
