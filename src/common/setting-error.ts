/**
 * A setting from the environment or the catalog's properties that cannot be used. The
 * CLI prints it as one line and exits 2, like a bad flag: the user fixes configuration,
 * not code. The message names the setting and what it takes.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}
