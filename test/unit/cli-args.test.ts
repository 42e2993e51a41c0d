import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError, formatFlagHelp, parseArgs, parseDurationMs, type FlagSpec } from '../../src/cli/args.js';
import { VAR_FLAG, variablesFromFlags } from '../../src/cli/var-flag.js';

const SPECS: FlagSpec[] = [
  { name: 'events', kind: 'int', help: '', default: 10 },
  { name: 'since', kind: 'duration', help: '' },
  { name: 'json', kind: 'boolean', help: '' },
  { name: 'command', alias: '-c', kind: 'string', help: '' },
  { name: 'warehouse', kind: 'string', env: 'LAKEGRAPH_WAREHOUSE', help: '', default: 'w' },
];

test('flags parse in both spellings, with defaults and environment fallbacks', () => {
  const parsed = parseArgs(['--events=5', '--since', '90s', '--json', '-c', 'SELECT 1', 'extra'], SPECS, { LAKEGRAPH_WAREHOUSE: '/data' });
  assert.deepEqual(parsed.flags, { events: 5, since: 90_000, json: true, command: 'SELECT 1', warehouse: '/data' });
  assert.deepEqual(parsed.positionals, ['extra']);
  assert.equal(parseArgs([], SPECS, {}).flags['events'], 10);
  assert.equal(parseArgs(['--warehouse', 'x'], SPECS, { LAKEGRAPH_WAREHOUSE: '/data' }).flags['warehouse'], 'x');
  assert.equal(parseArgs(['--help'], SPECS, {}).help, true);
});

test('bad flags are UsageErrors that name the flag and the fix', () => {
  assert.throws(() => parseArgs(['--nope'], SPECS, {}), (e: unknown) => e instanceof UsageError && /unknown flag --nope; known flags: --events/.test(e.message));
  assert.throws(() => parseArgs(['--events', 'ten'], SPECS, {}), /--events: expected a whole number, got "ten"/);
  assert.throws(() => parseArgs(['--events'], SPECS, {}), /--events needs a value/);
  assert.throws(() => parseArgs(['--since', '5 minutes'], SPECS, {}), /use e.g. 90s, 5m/);
  assert.throws(() => parseArgs(['--json=maybe'], SPECS, {}), /expected true or false/);
});

test('a flag on the command line beats the environment value of a flag it excludes', () => {
  const specs: FlagSpec[] = [
    { name: 'warehouse', kind: 'string', env: 'W', default: 'w', help: '', excludes: ['catalog-uri'] },
    { name: 'catalog-uri', kind: 'string', env: 'C', help: '', excludes: ['warehouse'] },
  ];
  const env = { C: 'http://catalog', W: '/env-warehouse' };
  assert.deepEqual(parseArgs(['--warehouse', '/mine'], specs, env).flags, { warehouse: '/mine' });
  assert.deepEqual(parseArgs(['--catalog-uri', 'http://x'], specs, env).flags, { 'catalog-uri': 'http://x' });
  assert.deepEqual(parseArgs([], specs, env).flags, { warehouse: '/env-warehouse', 'catalog-uri': 'http://catalog' });
  assert.throws(() => parseArgs(['--warehouse', 'a', '--catalog-uri', 'b'], specs, {}), /give --warehouse or --catalog-uri, not both/);
});

test('durations', () => {
  assert.equal(parseDurationMs('250ms', 'x'), 250);
  assert.equal(parseDurationMs('5m', 'x'), 300_000);
  assert.equal(parseDurationMs('30d', 'x'), 30 * 86_400_000);
  assert.equal(parseDurationMs('1500', 'x'), 1500);
});

test('a repeatable flag collects every value in order, both spellings, and is an empty list when not given', () => {
  const specs: FlagSpec[] = [{ name: 'tag', kind: 'string', help: 'a tag', repeatable: true }, SPECS[0]!];
  assert.deepEqual(parseArgs(['--tag', 'a', '--events', '3', '--tag=b=c', '--tag', ''], specs, {}).flags, { tag: ['a', 'b=c', ''], events: 3 });
  assert.deepEqual(parseArgs([], specs, {}).flags, { tag: [], events: 10 });
  assert.match(formatFlagHelp(specs), /--tag STRING +a tag \(repeatable\)/);
});

test('sql --var NAME=VALUE: variables in order; a bad or repeated one is a UsageError that shows the right form', () => {
  const variables = (...argv: string[]) => variablesFromFlags(parseArgs(argv, [VAR_FLAG], {}).flags);
  assert.deepEqual([...variables('--var', 'top_n=5', '--var=since=2026-11-26 12:00:00+00', '--var', 'empty=')], [['top_n', '5'], ['since', '2026-11-26 12:00:00+00'], ['empty', '']]);
  assert.deepEqual([...variables()], []);
  for (const bad of ['top_n', '=5', '5n=1', 'top-n=5', ' top_n=5']) {
    assert.throws(() => variables('--var', bad), (e: unknown) => e instanceof UsageError && e.message.includes(`"${bad}" is not NAME=VALUE`) && e.message.includes('--var top_n=5'), bad);
  }
  assert.throws(() => variables('--var', 'a=1', '--var', 'a=2'), /--var: a is given twice/);
});
