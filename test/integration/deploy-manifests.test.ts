/**
 * infra/deploy stays deployable: the Kubernetes overlay renders (`kubectl kustomize`; the
 * test is skipped, saying so, without kubectl), also with the Kafka TLS/SASL component, and
 * the compose file parses (PyYAML), and in both every container runs a real command with
 * flags its parser accepts (the environment its ConfigMaps and Secrets give it included),
 * every variable is one lakegraph or the AWS SDK settings it reads, every ConfigMap,
 * Secret and volume referenced is defined, every file a setting names is mounted, and
 * ports, probes and scrape annotations agree with the flags.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { parseArgs, type FlagValues } from '../../src/cli/args.js';
import type { Command } from '../../src/cli/command.js';
import { compactCommand } from '../../src/cli/compact.js';
import { ingestCommand } from '../../src/cli/ingest.js';
import { serveCommand } from '../../src/cli/serve.js';
import { TOPICS } from '../../src/events/topics.js';
import { SASL_MECHANISMS } from '../../src/stream/kafka/kafka-security.js';
import { REPO_ROOT, VENV_PYTHON } from '../support/services.js';

const run = promisify(execFile);
const COMMANDS: Record<string, Command> = { ingest: ingestCommand, serve: serveCommand, compact: compactCommand };
const KUBERNETES = join(REPO_ROOT, 'infra/deploy/kubernetes');

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, which the asserts below probe field by field
type Yaml = any;

async function parseYaml(text: string): Promise<Yaml[]> {
  const script = 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))';
  const child = execFile(VENV_PYTHON, ['-c', script]);
  child.stdin!.end(text);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise<void>((resolve, reject) => child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`PyYAML failed (${code})`)))));
  return JSON.parse(stdout) as Yaml[];
}

/** The LAKEGRAPH_* and AWS_* names lakegraph's sources mention: the settings it reads. */
async function knownVariables(): Promise<Set<string>> {
  const names = new Set<string>();
  const dir = join(REPO_ROOT, 'src');
  for (const file of await readdir(dir, { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    for (const [name] of (await readFile(join(dir, file), 'utf8')).matchAll(/\b(?:LAKEGRAPH|AWS)_[A-Z0-9_]+\b/g)) names.add(name);
  }
  for (const testOnly of [...names].filter((n) => n.startsWith('LAKEGRAPH_TEST_'))) names.delete(testOnly);
  return names;
}

/** A container's command line, parsed by the real command's flags with the environment the container gets. */
function commandOf(args: readonly string[], where: string, environment: Record<string, string> = {}): { name: string; flags: FlagValues } {
  const [name, ...rest] = args;
  const command = COMMANDS[name!];
  assert.ok(command, `${where}: ${name} is not a command deployed here`);
  let flags: FlagValues = {};
  assert.doesNotThrow(() => ({ flags } = parseArgs(rest, command.flags, environment)), `${where}: lakegraph ${args.join(' ')} with ${Object.keys(environment).join(', ')}`);
  return { name: name!, flags };
}

/** The flags that name a file, and whether that file must come from a Secret (a key, a token, a password) rather than a ConfigMap. */
const FILE_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['auth-token-file', true], ['tls-cert', false], ['tls-key', true],
  ['kafka-ca', false], ['kafka-cert', false], ['kafka-key', true], ['kafka-sasl-password-file', true],
]);

/** The keys of a ConfigMap or Secret, with their values (a Secret's `data` decoded). */
function entriesOf(source: Yaml): Record<string, string> {
  const decoded = source.kind === 'Secret' ? Object.fromEntries(Object.entries<string>(source.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : source.data;
  return { ...decoded, ...source.stringData };
}

function podSpecs(documents: readonly Yaml[]): Array<{ where: string; pod: Yaml; annotations: Record<string, string> }> {
  return documents.flatMap((d) => {
    const template = d.kind === 'Deployment' ? d.spec.template : d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template : undefined;
    return template ? [{ where: `${d.kind} ${d.metadata.name}`, pod: template.spec, annotations: template.metadata.annotations ?? {} }] : [];
  });
}

interface DeployedCommand {
  readonly where: string;
  readonly name: string;
  readonly flags: FlagValues;
  readonly environment: Record<string, string>;
}

/** `kubectl kustomize DIR`; undefined, having skipped the test, without kubectl. */
async function kustomize(t: TestContext, dir: string): Promise<string | undefined> {
  try {
    return (await run('kubectl', ['kustomize', dir], { maxBuffer: 16 << 20 })).stdout;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if (/ENOENT/.test(message)) t.skip(`kubectl kustomize is not available here (${message})`);
    else throw error;
    return undefined;
  }
}

/** Checks a rendered fleet as the file's comment says; returns each container's command. */
async function assertDeployableFleet(rendered: string): Promise<DeployedCommand[]> {
  const documents = await parseYaml(rendered);
  const variables = await knownVariables();
  const named = (kind: string) => new Map(documents.filter((d) => d.kind === kind).map((d) => [d.metadata.name as string, d]));
  const [configMaps, secrets] = [named('ConfigMap'), named('Secret')];
  // Mounted ones hold files, checked below against the settings that name them; the others hold settings.
  const mounted = new Set(podSpecs(documents).flatMap(({ pod }) => (pod.volumes ?? []).map((v: Yaml) => v.secret?.secretName ?? v.configMap?.name)));
  for (const source of [...configMaps.values(), ...secrets.values()]) {
    if (mounted.has(source.metadata.name)) continue;
    for (const key of Object.keys(entriesOf(source))) assert.ok(variables.has(key), `${source.kind} ${source.metadata.name}: ${key} is no setting lakegraph reads`);
  }

  const deployed: DeployedCommand[] = [];
  const ingested: string[] = [];
  for (const { where, pod, annotations } of podSpecs(documents)) {
    const volumes = new Map<string, Yaml>(pod.volumes?.map((v: Yaml) => [v.name, v]) ?? []);
    for (const volume of volumes.values()) {
      if (volume.secret) assert.ok(secrets.has(volume.secret.secretName), `${where}: volume ${volume.name}: no Secret ${volume.secret.secretName}`);
      if (volume.configMap) assert.ok(configMaps.has(volume.configMap.name), `${where}: volume ${volume.name}: no ConfigMap ${volume.configMap.name}`);
    }
    assert.equal(pod.containers.length, 1, where);
    const container = pod.containers[0];
    assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory && container.resources?.limits?.memory, `${where}: resources`);
    const environment: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) assert.ok(configMaps.has(from.configMapRef.name), `${where}: no ConfigMap ${from.configMapRef.name}`);
      if (from.secretRef) assert.ok(secrets.has(from.secretRef.name), `${where}: no Secret ${from.secretRef.name}`);
      Object.assign(environment, entriesOf(from.configMapRef ? configMaps.get(from.configMapRef.name) : secrets.get(from.secretRef.name)));
    }
    for (const { name: variable, value } of container.env ?? []) {
      assert.ok(variables.has(variable), `${where}: ${variable} is no setting lakegraph reads`);
      if (value !== undefined) environment[variable] = String(value);
    }
    const { name, flags } = commandOf(container.args, where, environment);
    deployed.push({ where, name, flags, environment });
    const mounts = new Map<string, string>(container.volumeMounts?.map((m: Yaml) => [m.mountPath, m.name]) ?? []);
    for (const volume of mounts.values()) assert.ok(volumes.has(volume), `${where}: no volume ${volume}`);
    for (const [flag, secret] of FILE_FLAGS) {
      const file = flags[flag] as string | undefined;
      if (file === undefined) continue;
      const volume = volumes.get(mounts.get(dirname(file))!);
      const source = volume?.secret ? secrets.get(volume.secret.secretName) : volume?.configMap && !secret ? configMaps.get(volume.configMap.name) : undefined;
      assert.ok(source, `${where}: --${flag} ${file} is not in a mounted ${secret ? 'Secret' : 'Secret or ConfigMap'}`);
      assert.ok(entriesOf(source)[basename(file)], `${where}: ${source.kind} ${source.metadata.name} has no key for ${file}`);
    }

    const ports = new Map<string | number, number>((container.ports ?? []).flatMap((p: Yaml) => [[p.name, p.containerPort], [p.containerPort, p.containerPort]]));
    const portOf = (port: string | number) => {
      assert.ok(ports.has(port), `${where}: port ${port} is not a container port`);
      return ports.get(port)!;
    };
    const probes = ['startupProbe', 'readinessProbe', 'livenessProbe'].map((p) => container[p]?.httpGet).filter(Boolean);
    if (name === 'serve') {
      assert.equal(flags['host'], '0.0.0.0', `${where}: serve must listen beyond the pod's loopback`);
      assert.equal(portOf('http'), flags['port']);
      assert.ok(container.readinessProbe && container.livenessProbe, `${where}: readiness and liveness`);
      for (const probe of probes) assert.deepEqual([probe.path, portOf(probe.port)], ['/healthz', flags['port']], `${where}: probes ask /healthz, which needs no token`);
      assert.ok(flags['auth-token-file'], `${where}: serve beyond loopback requires a token`);
    }
    if (name === 'ingest') {
      ingested.push(flags['topic'] as string);
      assert.equal(flags['metrics-host'], '0.0.0.0', where);
      assert.equal(portOf('metrics'), flags['metrics-port']);
      for (const probe of probes) assert.deepEqual([probe.path, portOf(probe.port)], ['/metrics', flags['metrics-port']], where);
    }
    if (annotations['prometheus.io/scrape'] === 'true') {
      assert.equal(annotations['prometheus.io/path'], '/metrics', where);
      assert.ok(ports.has(Number(annotations['prometheus.io/port'])), `${where}: scrape port ${annotations['prometheus.io/port']} is not a container port`);
    }
  }
  assert.deepEqual(ingested.sort(), [...TOPICS].sort(), 'one topic job per topic');
  assert.equal(named('CronJob').get('lakegraph-compact')?.spec.concurrencyPolicy, 'Forbid');

  for (const service of named('Service').values()) {
    const pods = podSpecs(documents.filter((d) => d.kind === 'Deployment' && Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)));
    assert.equal(pods.length, 1, `Service ${service.metadata.name} selects one Deployment`);
    for (const port of service.spec.ports) assert.ok(pods[0]!.pod.containers[0].ports.some((p: Yaml) => p.name === port.targetPort), `Service ${service.metadata.name}: targetPort ${port.targetPort}`);
  }
  return deployed;
}

test('the Kubernetes overlay renders a complete fleet that uses real commands, flags, variables, ports and probes', async (t) => {
  const rendered = await kustomize(t, join(KUBERNETES, 'overlays/local'));
  if (rendered === undefined) return;
  await run('kubectl', ['kustomize', join(KUBERNETES, 'base')]);
  await assertDeployableFleet(rendered);
});

test('the Kafka TLS/SASL component, added to an overlay as docs/DEPLOY.md shows, gives ingest and serve TLS with a mounted CA and SASL from a Secret', async (t) => {
  // An overlay of an environment, written where kustomize reaches the repository's by relative paths.
  const dir = await mkdtemp(join(tmpdir(), 'lakegraph-overlay-'));
  try {
    await writeFile(join(dir, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${relative(dir, join(KUBERNETES, 'overlays/local'))}`,
      'components:',
      `  - ${relative(dir, join(KUBERNETES, 'components/kafka-tls-sasl'))}`,
      'configMapGenerator:',
      '  - name: lakegraph-kafka-ca',
      '    files:',
      '      - ca.crt',
      'secretGenerator:',
      '  - name: lakegraph-kafka',
      '    literals:',
      '      - LAKEGRAPH_KAFKA_SASL_MECHANISM=scram-sha-512',
      '      - LAKEGRAPH_KAFKA_SASL_USERNAME=lakegraph',
      '      - LAKEGRAPH_KAFKA_SASL_PASSWORD=change-me',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n(the CA of the brokers)\n-----END CERTIFICATE-----\n');
    const rendered = await kustomize(t, dir);
    if (rendered === undefined) return;
    const deployed = await assertDeployableFleet(rendered);
    for (const { where, name, flags, environment } of deployed) {
      if (name === 'compact') continue;
      assert.equal(flags['kafka-tls'], true, where);
      assert.equal(flags['kafka-ca'], '/etc/lakegraph/kafka/ca.crt', where);
      assert.ok((SASL_MECHANISMS as readonly string[]).includes(flags['kafka-sasl-mechanism'] as string), where);
      assert.ok(flags['kafka-sasl-username'] && environment['LAKEGRAPH_KAFKA_SASL_PASSWORD'], `${where}: a SASL user and password`);
    }
    assert.ok(deployed.some((d) => d.name === 'serve') && deployed.some((d) => d.name === 'ingest'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the compose file runs the same fleet with real commands, flags and variables', async () => {
  const [compose] = await parseYaml(await readFile(join(REPO_ROOT, 'infra/deploy/compose.yaml'), 'utf8'));
  const variables = await knownVariables();
  const ingested: string[] = [];
  const ports = new Set<number>();
  for (const [service, spec] of Object.entries<Yaml>(compose.services)) {
    const { name, flags } = commandOf(spec.command, `service ${service}`);
    for (const variable of Object.keys(spec.environment ?? {})) assert.ok(variables.has(variable), `service ${service}: ${variable} is no setting lakegraph reads`);
    if (name === 'ingest') ingested.push(flags['topic'] as string);
    // Host networking: no two processes may want one port.
    const port = (flags['metrics-port'] ?? (name === 'serve' ? flags['port'] : undefined)) as number | undefined;
    if (port !== undefined) {
      assert.ok(!ports.has(port), `service ${service}: port ${port} is taken`);
      ports.add(port);
    }
    if (name === 'serve') assert.ok('LAKEGRAPH_AUTH_TOKEN' in spec.environment, 'serve has a token');
  }
  assert.deepEqual(ingested.sort(), [...TOPICS].sort(), 'one topic job per topic');
});
