/**
 * Flags that name a file (a certificate, a key, a token, a password), read when the command
 * starts: a file that cannot be read is a configuration mistake, told with the flag.
 */
import { readFileSync } from 'node:fs';
import { UsageError, type FlagValues } from './args.js';

export function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export interface Secret {
  readonly value: string;
  /** Where it came from, for messages: `--<flag> F` or the variable's name. */
  readonly source: string;
}

/**
 * A secret given as the content of the file `--<flag>` names or as the value of `envName`,
 * not both (secrets stay off command lines, which `ps` and pod specs show). Surrounding
 * whitespace is no part of it: a file written by `echo` or a mounted Secret may end in a
 * newline. Undefined when neither is given; empty is a usage error, naming it `what`.
 */
export function secretFromFileOrEnv(flags: FlagValues, flag: string, envName: string, env: NodeJS.ProcessEnv, what: string): Secret | undefined {
  const file = flags[flag] as string | undefined;
  const fromEnv = env[envName] || undefined;
  if (file !== undefined && fromEnv !== undefined) throw new UsageError(`give --${flag} or ${envName}, not both`);
  if (file === undefined && fromEnv === undefined) return undefined;
  const secret = file !== undefined ? { value: readFlagFile(flag, file).toString('utf8').trim(), source: `--${flag} ${file}` } : { value: fromEnv as string, source: envName };
  if (secret.value === '') throw new UsageError(`${secret.source}: the ${what} is empty`);
  return secret;
}
