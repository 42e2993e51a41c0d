/**
 * `--var NAME=VALUE` (repeatable): DuckDB variables set before `lakegraph sql` runs its SQL,
 * so the `sql/` files, which read their parameters with `getvariable`, run from `-f` as
 * they do in the DuckDB CLI. Values are text: each file casts what it reads (`top_n` to a
 * number, `since` to a timestamp), as SQL of one's own can.
 */
import { UsageError, type FlagSpec, type FlagValues } from './args.js';

export const VAR_FLAG: FlagSpec = {
  name: 'var', kind: 'string', placeholder: 'NAME=VALUE', repeatable: true, help: 'set DuckDB variable NAME to the text VALUE first, e.g. --var top_n=5',
};

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Variable name → value, in the order given. */
export function variablesFromFlags(flags: FlagValues): Map<string, string> {
  const variables = new Map<string, string>();
  for (const text of flags['var'] as readonly string[]) {
    const assignment = ASSIGNMENT.exec(text);
    if (assignment === null) throw new UsageError(`--var: "${text}" is not NAME=VALUE with NAME a letter or _ then letters, digits or _ (e.g. --var top_n=5)`);
    const [, name, value] = assignment as unknown as [string, string, string];
    if (variables.has(name)) throw new UsageError(`--var: ${name} is given twice; give each variable once`);
    variables.set(name, value);
  }
  return variables;
}
