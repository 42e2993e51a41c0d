/**
 * The AWS shared configuration files (`~/.aws/credentials`, `~/.aws/config`) read the
 * way the AWS CLI and SDKs read them, for one profile: `AWS_PROFILE`, else `default`.
 * Only plain settings are honoured (static keys, region, endpoint_url); a profile that
 * needs a process to run (credential_process, sso_*, role_arn) is reported as such rather
 * than half-followed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SharedProfile {
  readonly name: string;
  /** Both files' settings for the profile; the credentials file wins, as in the SDKs. */
  readonly settings: Readonly<Record<string, string>>;
}

/** Settings that fetch credentials from elsewhere (a process, SSO, STS); not followed here. */
const UNSUPPORTED_SETTINGS = ['credential_process', 'sso_session', 'sso_start_url', 'role_arn', 'web_identity_token_file'];

export function sharedProfile(env: NodeJS.ProcessEnv, homeDir: string): SharedProfile {
  const name = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || join(homeDir, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE || join(homeDir, '.aws', 'config');
  // In the config file every profile but `default` is written `[profile name]`.
  const fromConfig = iniSections(readIfPresent(configFile)).get(name === 'default' ? 'default' : `profile ${name}`);
  const fromCredentials = iniSections(readIfPresent(credentialsFile)).get(name);
  if (!fromConfig && !fromCredentials && name !== 'default') {
    throw new Error(`AWS profile ${name} (AWS_PROFILE) is in neither ${credentialsFile} nor ${configFile}`);
  }
  return { name, settings: { ...fromConfig, ...fromCredentials } };
}

/** Why the profile gives no static keys when it names another way to get them, else undefined. */
export function unsupportedCredentialSource(profile: SharedProfile): string | undefined {
  const used = UNSUPPORTED_SETTINGS.filter((key) => key in profile.settings);
  if (used.length === 0) return undefined;
  return `AWS profile ${profile.name} gets its credentials through ${used.join(', ')}, which lakegraph does not follow`;
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Sections of an INI text by name; keys lower-cased; indented lines (nested service settings) are skipped. */
export function iniSections(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(trimmed);
    if (header) {
      current = sections.get(header[1]!) ?? {};
      sections.set(header[1]!, current);
      continue;
    }
    if (!current || /^\s/.test(line)) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) current[trimmed.slice(0, eq).trim().toLowerCase()] = trimmed.slice(eq + 1).trim();
  }
  return sections;
}
