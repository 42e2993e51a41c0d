import type { FlagSpec, FlagValues } from './args.js';

/** One CLI command: its flags, its help text and what it does with the parsed flags. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Resolves to the process exit code. */
  run(flags: FlagValues, positionals: string[]): Promise<number>;
}
