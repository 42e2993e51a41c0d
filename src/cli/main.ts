#!/usr/bin/env node
/**
 * Entry point of the `lakegraph` binary: picks the command, parses its flags and maps
 * failures to the exit codes of docs/CONTRACTS.md §4 (2 = bad usage or configuration, 1 = runtime).
 */
import { SettingError } from '../common/setting-error.js';
import { UsageError, formatFlagHelp, parseArgs } from './args.js';
import type { Command } from './command.js';

// Commands load lazily so `--help` and usage errors never pay for DuckDB or Kafka start-up.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: { summary: 'run the embedded pipeline on generated events (no services needed)', load: async () => (await import('./demo.js')).demoCommand },
  ingest: { summary: 'consume one Kafka topic into the graph tables, exactly once', load: async () => (await import('./ingest.js')).ingestCommand },
  backfill: { summary: "replay an archive of a topic's raw Kafka records into the graph tables, exactly once", load: async () => (await import('./backfill.js')).backfillCommand },
  generate: { summary: 'produce generated contract events to a Kafka topic', load: async () => (await import('./generate.js')).generateCommand },
  sql: { summary: 'run DuckDB SQL with views `edges` and `nodes` over snapshot ∪ Kafka tail', load: async () => (await import('./sql.js')).sqlCommand },
  query: { summary: 'graph queries: member-activity, neighbors, khop, path', load: async () => (await import('./query.js')).queryCommand },
  serve: { summary: 'the graph queries over HTTP (JSON), with /healthz and /metrics', load: async () => (await import('./serve.js')).serveCommand },
  compact: { summary: 'merge small files, expire snapshots, remove orphans, apply the TTL (once or --every)', load: async () => (await import('./compact.js')).compactCommand },
  repartition: { summary: 'change how a graph table partitions new data files (Iceberg partition spec evolution)', load: async () => (await import('./repartition.js')).repartitionCommand },
  forget: { summary: "remove a member's rows from every graph table and keep its later records out", load: async () => (await import('./forget.js')).forgetCommand },
  status: { summary: 'tables, snapshots, live files, committed offsets and Kafka lag', load: async () => (await import('./status.js')).statusCommand },
  'duckdb-init': { summary: 'print a DuckDB CLI init script with views over the current snapshot', load: async () => (await import('./duckdb-init.js')).duckdbInitCommand },
};

function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `usage: lakegraph <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nRun \`lakegraph <command> --help\` for a command's flags.`;
}

export function commandHelp(command: Command): string {
  return `usage: ${command.usage}\n\n${command.summary}\n\nflags:\n${formatFlagHelp(command.flags)}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topLevelHelp() + '\n');
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`lakegraph: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (see lakegraph --help)\n`);
    return 2;
  }
  const command = await entry.load();
  try {
    const parsed = parseArgs(rest, command.flags);
    if (parsed.help) {
      process.stdout.write(commandHelp(command) + '\n');
      return 0;
    }
    return await command.run(parsed.flags, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lakegraph ${name}: ${err.message} (see lakegraph ${name} --help)\n`);
      return 2;
    }
    if (err instanceof SettingError) {
      process.stderr.write(`lakegraph ${name}: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? (process.env.LAKEGRAPH_DEBUG ? err.stack : err.message) : String(err);
    process.stderr.write(`lakegraph ${name}: ${message}\n`);
    return 1;
  }
}

// A reader that stops early (`lakegraph duckdb-init | head`) closes the pipe. The rest of the
// output is not wanted, but the command's work is (an ingest piped into a log reader still
// flushes and commits on its way out), so drop the output instead of dying on an unhandled EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`lakegraph: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
