/** `--as-of` (docs/CONTRACTS.md §7), shared by the commands that read the graph: query, sql, duckdb-init. */
import { AS_OF_HELP, AsOfError, parseAsOf, type AsOf } from '../query/as-of.js';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';

export const AS_OF_FLAG: FlagSpec = { name: 'as-of', kind: 'string', placeholder: 'ID|T', help: `read the graph as it was then: ${AS_OF_HELP}; reads no Kafka tail` };

/**
 * What `--as-of` asks for, or undefined without it. The lake is asked which moment that is
 * while the tables are loaded (snapshot-tier.ts `loadPastSnapshotTier`), under `asUsageError`.
 */
export function asOfFromFlags(flags: FlagValues): AsOf | undefined {
  const text = flags['as-of'] as string | undefined;
  if (text === undefined) return undefined;
  const asOf = parseAsOf(text);
  if (asOf === undefined) throw new UsageError(`--as-of: "${text}" is not ${AS_OF_HELP}`);
  return asOf;
}

/** Runs `work`; the lake having no answer for `--as-of` becomes a usage error naming it. */
export async function asUsageError<T>(text: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AsOfError) throw new UsageError(`--as-of ${text}: ${error.message}`);
    throw error;
  }
}
