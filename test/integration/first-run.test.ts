/**
 * Issue 15: what a first user runs after `npm start`, as real processes on one small demo
 * warehouse. The demo's member section shows a member on ≥ 2 devices in ≥ 2 business
 * lines; `lakegraph sql -f sql/top_titles.sql` takes the file's default and `--var`;
 * commands pointed at no warehouse exit 2 saying where they looked and how to make one;
 * `status` asks no broker about a demo's offsets, whatever answers on --brokers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, type CliRun } from '../support/cli-process.js';
import { BROKERS, REPO_ROOT } from '../support/services.js';

const EVENTS = 20_000;

/** Edges only one business line makes (CONTRACTS §2); `has_profile` and `used_device` come from any. */
const TOPIC_OF_EDGE: Readonly<Record<string, string>> = {
  logged_in_from: 'app.session',
  watched: 'app.playback',
  saw_ad: 'app.ads',
  clicked_ad: 'app.ads',
  played: 'app.games',
  attended: 'app.live',
};

const root = await mkdtemp(join(tmpdir(), 'first-run-'));
after(() => rm(root, { recursive: true, force: true }));
const warehouse = join(root, 'warehouse');
const demo = await runCli(['demo', '--events', String(EVENTS), '--warehouse', warehouse]);

function oneLineError(run: CliRun, what: string): string {
  assert.equal(run.code, 2, `${what} exits 2: ${run.stderr}`);
  assert.equal(run.stdout, '', what);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, `${what} says it in one line: ${run.stderr}`);
  return run.stderr;
}

test('demo: the member section shows one member on ≥ 2 devices in ≥ 2 business lines, row by row', () => {
  assert.equal(demo.code, 0, demo.stderr);
  const section = demo.stdout.slice(demo.stdout.indexOf('\nAccount '), demo.stdout.indexOf('\nTop titles:')).trim();
  const [heading, columns, , ...rows] = section.split('\n');
  const stated = /^Account (a-\d+): activity in the last 5 minutes of event time \(up to .+\), on (\d+) devices in (\d+) business lines \(([^)]+)\):$/.exec(heading ?? '');
  assert.ok(stated, `the member heading:\n${demo.stdout}`);
  const [, account, devices, businessLines, topicList] = stated;
  assert.deepEqual(columns!.split(/\s{2,}/), ['last_seen', 'edge_type', 'src_id', 'dst_type', 'dst_id', 'event_count']);
  assert.ok(rows.length > 0, 'the member has rows in the window');

  const cells = rows.map((row) => row.split(/\s{2,}/));
  for (const row of cells) assert.equal(row.length, 6, row.join(' | '));
  const usedDevices = new Set(cells.filter(([, edge]) => edge === 'used_device').map(([, , , , device]) => device));
  assert.ok(usedDevices.size >= 2, `devices in the rows: ${[...usedDevices].join(', ')}`);
  assert.equal(String(usedDevices.size), devices, 'the heading counts the devices the rows show');

  const topics = topicList!.split(', ');
  assert.ok(topics.length >= 2, `business lines: ${topicList}`);
  assert.equal(String(topics.length), businessLines);
  const shownTopics = new Set(cells.flatMap(([, edge]) => (TOPIC_OF_EDGE[edge!] ? [TOPIC_OF_EDGE[edge!]!] : [])));
  assert.ok(shownTopics.size >= 2, `business lines the rows show: ${[...shownTopics].join(', ')}`);
  for (const topic of shownTopics) assert.ok(topics.includes(topic), `${topic} is in the heading's list`);
  const accountRows = cells.filter(([, edge]) => edge === 'has_profile' || edge === 'logged_in_from');
  for (const [, , source] of accountRows) assert.equal(source, account);
});

test('sql -f sql/top_titles.sql: ten titles unset, as many as --var top_n says; a bad --var exits 2 in one line', async () => {
  const topTitles = (...extra: string[]) => runCli(['sql', '-f', join(REPO_ROOT, 'sql/top_titles.sql'), '--warehouse', warehouse, '--json', ...extra]);
  const unset = await topTitles();
  assert.equal(unset.code, 0, unset.stderr);
  assert.equal((JSON.parse(unset.stdout) as unknown[]).length, 10);
  const three = await topTitles('--var', 'top_n=3');
  assert.equal(three.code, 0, three.stderr);
  assert.deepEqual(JSON.parse(three.stdout), (JSON.parse(unset.stdout) as unknown[]).slice(0, 3));

  const both = await runCli(['sql', '-c', "SELECT getvariable('a') AS a, getvariable('b') AS b", '--var', 'a=x y', '--var=b=1=2', '--warehouse', warehouse, '--json']);
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(JSON.parse(both.stdout), [{ a: 'x y', b: '1=2' }]);

  assert.match(oneLineError(await topTitles('--var', 'top_n'), '--var without a value'), /--var: "top_n" is not NAME=VALUE.*--var top_n=5/);
  assert.match(oneLineError(await topTitles('--var', 'n=1', '--var', 'n=2'), 'a variable given twice'), /n is given twice/);
});

test('commands that read a warehouse exit 2 when there is none, naming the place and how to make one', async () => {
  const nowhere = join(root, 'no-warehouse-here');
  const commands = [
    ['query', 'member-activity', '--account', 'a-1'],
    ['sql', '-c', 'SELECT 1'],
    ['serve', '--no-tail', '--port', '0'],
    ['status'],
    ['duckdb-init'],
    ['compact'],
  ];
  for (const command of commands) {
    const message = oneLineError(await runCli([...command, '--warehouse', nowhere]), command[0]!);
    assert.ok(message.includes(`no lakegraph warehouse at ${nowhere}`), message);
    assert.ok(message.includes(`lakegraph demo --warehouse ${nowhere}`) && message.includes('lakegraph ingest --topic T'), message);
  }
});

test('status of a demo warehouse asks no broker and shows no lag, and says so', async () => {
  const json = await runCli(['status', '--json', '--warehouse', warehouse, '--brokers', BROKERS.join(',')]);
  assert.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout) as {
    kafka: { brokers: string[]; asked: boolean; reason?: string };
    partitions: Array<{ source: string | null; endOffset: number | null; lag: number | null }>;
  };
  assert.equal(status.kafka.asked, false);
  assert.deepEqual(status.kafka.brokers, [...BROKERS]);
  assert.match(status.kafka.reason ?? '', /lakegraph demo/);
  assert.ok(status.partitions.length > 0);
  for (const p of status.partitions) assert.deepEqual([p.source, p.endOffset, p.lag], ['generator', null, null]);

  const text = await runCli(['status', '--warehouse', warehouse, '--brokers', BROKERS.join(',')]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.includes(`Kafka: not asked (${BROKERS.join(',')})`), text.stdout);
});
