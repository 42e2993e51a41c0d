/**
 * JSON with exact 64-bit integers. Iceberg's JSON (table metadata files, REST responses)
 * holds snapshot ids as plain integer literals, and other engines pick random 63-bit ones;
 * JSON.parse would round them to the nearest double. Here an integer literal beyond
 * ±(2^53−1) parses to a bigint, and a bigint serializes as a bare integer literal.
 *
 * Both directions run the native JSON.parse / JSON.stringify: a big integer is carried
 * through them as a tagged string (a string JSON never holds by accident: it starts with
 * NUL), and the text is rewritten around that.
 */

const TAG = '\u0000int64:';
/** The tag as JSON text writes it (a control character is escaped). */
const TAG_IN_TEXT = '\\u0000int64:';
const TAGGED_IN_TEXT = /"\\u0000int64:(-?\d+)"/g;
/**
 * A whole string literal (kept as it is), or an integer literal of 16 digits or more: one
 * not preceded or followed by what would make it part of a fraction or an exponent.
 */
const STRING_OR_LONG_INTEGER = /"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;
const LONG_DIGIT_RUN = /\d{16,}/g;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isUnsafe(digits: string): boolean {
  const value = BigInt(digits);
  return value > MAX_SAFE || value < -MAX_SAFE;
}

/** The text with every integer literal a double cannot hold exactly replaced by a tagged string. */
export function tagUnsafeIntegers(text: string): string {
  // Most text has no digit run a double cannot hold (lakegraph's own ids fit): skip the string-aware pass.
  if (!(text.match(LONG_DIGIT_RUN)?.some(isUnsafe) ?? false)) return text;
  return text.replace(STRING_OR_LONG_INTEGER, (token) => (token.startsWith('"') || !isUnsafe(token) ? token : `"${TAG_IN_TEXT}${token}"`));
}

/** The text with every tagged string turned back into its bare integer literal. */
export function untagIntegers(text: string): string {
  return text.replace(TAGGED_IN_TEXT, '$1');
}

function tagBigInt(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${TAG}${value}` : value;
}

function untagString(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(TAG) ? BigInt(value.slice(TAG.length)) : value;
}

/** A copy of `value` that JSON.stringify can write: bigints become tagged strings (see `untagIntegers`). */
export function withTaggedBigInts<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, tagBigInt));
}

/**
 * `value` with every tagged string (as `tagUnsafeIntegers` makes them) turned into a bigint.
 * In place: the objects and arrays of `value` are changed, not copied — pass a value freshly
 * parsed that nothing else holds (a whole table's metadata is not worth copying for a few ids).
 */
export function untagBigIntsInPlace(value: unknown): unknown {
  if (typeof value === 'string') return untagString('', value);
  if (value === null || typeof value !== 'object') return value;
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    const item = container[key];
    if (typeof item !== 'string' && (item === null || typeof item !== 'object')) continue;
    const untagged = untagBigIntsInPlace(item);
    if (untagged !== item) container[key] = untagged;
  }
  return value;
}

/** JSON.parse, except that integers beyond ±(2^53−1) come back as exact bigints. */
export function parseJson(text: string): unknown {
  const tagged = tagUnsafeIntegers(text);
  return tagged === text ? JSON.parse(text) : JSON.parse(tagged, untagString);
}

/** JSON.stringify, except that bigints are written as integer literals, digit for digit. */
export function stringifyJson(value: unknown, indent?: number): string {
  return untagIntegers(JSON.stringify(value, tagBigInt, indent));
}
