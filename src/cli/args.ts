/**
 * Flag parsing shared by every command. A bad flag is the user's mistake, not a crash:
 * it becomes a UsageError, which main prints as one line and exits 2.
 */
import { DURATION_EXAMPLES, durationMs } from '../common/duration.js';

export class UsageError extends Error {}

type FlagKind = 'string' | 'int' | 'number' | 'boolean' | 'duration';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly help: string;
  readonly alias?: string;
  readonly env?: string;
  readonly default?: string | number | boolean;
  readonly placeholder?: string;
  /**
   * Flags this one excludes: when either is given on the command line, the other's
   * environment value and default are not used, and giving both is a usage error.
   */
  readonly excludes?: readonly string[];
  /** May be given any number of times; its value is then the list of values, in order (empty when not given). */
  readonly repeatable?: boolean;
}

export type FlagValue = string | number | boolean;
export type FlagValues = Record<string, FlagValue | readonly FlagValue[] | undefined>;

/** Parses `90s`, `5m`, `30d`, `250ms` or a bare number of milliseconds; anything else is the user's mistake. */
export function parseDurationMs(text: string, what: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UsageError(`${what}: "${text}" is not a duration; ${DURATION_EXAMPLES}`);
  return ms;
}

function convert(spec: FlagSpec, raw: string): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new UsageError(`${flag}: expected true or false, got "${raw}"`);
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`${flag}: expected a whole number, got "${raw}"`);
      return Number(raw);
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got "${raw}"`);
      return n;
    }
    case 'duration':
      return parseDurationMs(raw, flag);
  }
}

export interface ParsedArgs {
  readonly flags: FlagValues;
  readonly positionals: string[];
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(`--${s.name}`, s);
    if (s.alias) byName.set(s.alias, s);
  }
  const flags: FlagValues = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) {
      const known = specs.map((s) => `--${s.name}`).join(', ');
      throw new UsageError(`unknown flag ${key}${known ? `; known flags: ${known}` : ''}`);
    }
    let raw: string;
    if (eq > 0) raw = arg.slice(eq + 1);
    else if (spec.kind === 'boolean') raw = 'true';
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${spec.name} needs a value (${spec.placeholder ?? spec.kind})`);
      raw = argv[++i];
    }
    const value = convert(spec, raw);
    flags[spec.name] = spec.repeatable ? [...((flags[spec.name] as FlagValue[] | undefined) ?? []), value] : value;
  }
  for (const s of specs) {
    for (const other of s.excludes ?? []) {
      if (flags[s.name] !== undefined && flags[other] !== undefined) throw new UsageError(`give --${s.name} or --${other}, not both`);
    }
  }
  const excludedByCommandLine = new Set(specs.flatMap((s) => (flags[s.name] !== undefined ? (s.excludes ?? []) : [])));
  for (const s of specs) {
    if (flags[s.name] !== undefined || excludedByCommandLine.has(s.name)) continue;
    if (s.repeatable) {
      flags[s.name] = [];
      continue;
    }
    const fromEnv = s.env ? env[s.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') flags[s.name] = convert(s, fromEnv);
    // A duration's default is written as people write one (`5m`), and parsed like one.
    else if (s.default !== undefined) flags[s.name] = s.kind === 'duration' && typeof s.default === 'string' ? convert(s, s.default) : s.default;
  }
  return { flags, positionals, help };
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  ${s.alias ? `${s.alias}, ` : ''}--${s.name}${s.kind === 'boolean' ? '' : ` ${s.placeholder ?? s.kind.toUpperCase()}`}`;
    const extras = [s.repeatable ? 'repeatable' : '', s.default !== undefined ? `default ${s.default}` : '', s.env ? `env ${s.env}` : ''].filter(Boolean).join(', ');
    return [left, `${s.help}${extras ? ` (${extras})` : ''}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length), 0) + 2;
  return rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
}
