/** infra/deploy stays valid: both files parse as YAML (PyYAML) and run `lakegraph compact` with flags it accepts. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { compactCommand } from '../../src/cli/compact.js';
import { REPO_ROOT, VENV_PYTHON } from '../support/services.js';

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, which the asserts below probe field by field
async function parseYaml(file: string): Promise<any> {
  const script = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  const { stdout } = await promisify(execFile)(VENV_PYTHON, ['-c', script, join(REPO_ROOT, file)]);
  return JSON.parse(stdout);
}

test('the Kubernetes CronJob and the compose service are valid and use real flags', async () => {
  const cronJob = await parseYaml('infra/deploy/compact-cronjob.yaml');
  assert.equal(cronJob.kind, 'CronJob');
  assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const compose = await parseYaml('infra/deploy/compose.yaml');
  const service = compose.services['lakegraph-compact'];
  for (const args of [container.args as string[], service.command as string[]]) {
    assert.equal(args[0], 'compact');
    assert.doesNotThrow(() => parseArgs(args.slice(1), compactCommand.flags, {}), `flags ${args.join(' ')}`);
  }
});
