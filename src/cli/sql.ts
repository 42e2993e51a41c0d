/** `lakegraph sql`: DuckDB SQL over views `edges`, `nodes` (snapshot ∪ Kafka tail when --brokers is given) and `rejected_events`. */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { AS_OF_FLAG, asOfFromFlags, asUsageError } from './as-of-flag.js';
import { WAREHOUSE_FLAGS, existingWarehouseFromFlags } from './catalog-flags.js';
import type { Command } from './command.js';
import { formatTable } from './format-table.js';
import { QuerySession } from '../query/query-session.js';
import { oneShotTailFromFlags, OPTIONAL_KAFKA_FLAGS, TAIL_TOPIC_FLAGS } from './tail-flags.js';
import { VAR_FLAG, variablesFromFlags } from './var-flag.js';

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Run DuckDB SQL with views `edges`, `nodes` over snapshot ∪ Kafka tail (with --brokers) and `rejected_events`.',
  usage: 'lakegraph sql (-c SQL | -f FILE) [--var NAME=VALUE]… [--as-of SNAPSHOT_ID|T] [--warehouse DIR | --catalog-uri URL] [--brokers H:P [--kafka-tls …] [--kafka-sasl-mechanism M …]] [--json]',
  flags: [
    { name: 'command', alias: '-c', kind: 'string', placeholder: 'SQL', help: 'SQL to run (several statements allowed; the last one is printed)' },
    { name: 'file', alias: '-f', kind: 'string', placeholder: 'FILE', help: 'file of SQL to run' },
    VAR_FLAG,
    AS_OF_FLAG,
    ...WAREHOUSE_FLAGS,
    ...OPTIONAL_KAFKA_FLAGS,
    ...TAIL_TOPIC_FLAGS,
    { name: 'json', kind: 'boolean', help: 'print rows as one JSON array' },
  ],
  async run(flags) {
    const inline = flags['command'] as string | undefined;
    const file = flags['file'] as string | undefined;
    if ((inline === undefined) === (file === undefined)) throw new UsageError('give exactly one of -c SQL or -f FILE');
    const variables = variablesFromFlags(flags);
    let text: string;
    if (file !== undefined) {
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`-f ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    } else text = inline!;
    const catalog = await existingWarehouseFromFlags(flags);
    const asOf = asOfFromFlags(flags);
    const hot = await oneShotTailFromFlags(flags, 'lakegraph-sql', asOf);
    const session = await asUsageError(flags['as-of'] as string | undefined, () => QuerySession.open({ catalog, hot, asOf }));
    try {
      await session.catchUp(30_000);
      await session.query(async ({ connection }) => {
        const statements = await connection.extractStatements(text);
        if (statements.count === 0) throw new UsageError('no SQL statement given');
        for (const [name, value] of variables) await connection.run(`SET VARIABLE ${name} = $1`, [value]);
        let rows: Record<string, unknown>[] = [];
        for (let i = 0; i < statements.count; i++) {
          const prepared = await statements.prepare(i);
          rows = (await prepared.runAndReadAll()).getRowObjectsJson() as Record<string, unknown>[];
        }
        process.stdout.write((flags['json'] ? JSON.stringify(rows) : formatTable(rows)) + '\n');
      });
    } finally {
      await session.close();
    }
    return 0;
  },
};
