/**
 * `--topic T [--contract C]` (src/cli/topic-flags.ts), shared by ingest, backfill, generate
 * and the tail of query/sql/serve: what each command is handed, and the one-line
 * UsageErrors (main prints them and exits 2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { TAIL_TOPIC_FLAGS, tailedTopicsFromFlags } from '../../src/cli/tail-flags.js';
import { topicAndContractFromFlags, topicFlags } from '../../src/cli/topic-flags.js';

const FLAGS = topicFlags('the topic');
const flagsOf = (...argv: string[]) => parseArgs(argv, FLAGS).flags;

test('a contract topic is its own contract; another topic names one with --contract', () => {
  assert.deepEqual(topicAndContractFromFlags(flagsOf('--topic', 'app.games')), { topic: 'app.games', contract: 'app.games' });
  assert.deepEqual(topicAndContractFromFlags(flagsOf('--topic', 'games-eu', '--contract', 'app.games')), { topic: 'games-eu', contract: 'app.games' });
});

test('no --topic, or a topic that is no contract without --contract, is a usage error saying what to pass', () => {
  assert.throws(() => topicAndContractFromFlags(flagsOf()), (e) => e instanceof UsageError && e.message === '--topic is required');
  assert.throws(
    () => topicAndContractFromFlags(flagsOf('--topic', 'games-eu')),
    (e) => e instanceof UsageError && e.message === '--contract: "games-eu" is not a docs/CONTRACTS.md §1 topic; pass --contract app.<line> for a topic named otherwise',
  );
  assert.throws(() => topicAndContractFromFlags(flagsOf('--topic', 'games-eu', '--contract', 'app.nope')), (e) => e instanceof UsageError && e.message.startsWith('--contract: "app.nope" is not'));
});

test('the tail reads the five contract topics by default, or the one --topic names with its contract', () => {
  const tailFlags = (...argv: string[]) => parseArgs(argv, TAIL_TOPIC_FLAGS).flags;
  assert.equal(tailedTopicsFromFlags(tailFlags()).length, 5);
  assert.deepEqual(tailedTopicsFromFlags(tailFlags('--topic', 'games-eu', '--contract', 'app.games')), [{ topic: 'games-eu', contract: 'app.games' }]);
  assert.throws(() => tailedTopicsFromFlags(tailFlags('--contract', 'app.games')), (e) => e instanceof UsageError && e.message === '--contract needs --topic');
  assert.throws(() => tailedTopicsFromFlags(tailFlags('--topic', 'games-eu')), (e) => e instanceof UsageError && e.message.startsWith('--contract: "games-eu" is not'));
});
