/**
 * Where an S3FileIO sends its requests and with what keys. Settings come, each on its
 * own, from (a) the FileIO properties a REST catalog hands out with a table (Iceberg's
 * `s3.*` names), which win, then (b) the standard AWS chain: environment variables, then
 * the shared files for AWS_PROFILE. Of that chain only static keys are followed: no
 * instance metadata (IMDS/ECS), SSO, assume-role, web identity or credential_process;
 * a profile that needs one of them gets an error saying so.
 */
import { homedir } from 'node:os';
import { DURATION_EXAMPLES, durationMs } from '../../common/duration.js';
import { SettingError } from '../../common/setting-error.js';
import { sharedProfile, unsupportedCredentialSource, type SharedProfile } from './aws-shared-files.js';
import type { AwsCredentials } from './sigv4.js';

export interface S3Config {
  /** Base URL of an S3-compatible store (`http://127.0.0.1:9000`); undefined for AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Bucket in the path (`endpoint/bucket/key`) rather than in the host name. */
  readonly pathStyle: boolean;
  /** One HTTP exchange, body included, gives up after this long (and is retried). */
  readonly requestTimeoutMs: number;
  /** Retries of a call stop once this much time has passed since its first try. */
  readonly retryDeadlineMs: number;
  /** Streaming writes upload parts of this size; a smaller file goes up in one PUT. */
  readonly partSizeBytes: number;
  /** Parts of one streaming write in flight at once. */
  readonly uploadConcurrency: number;
  /** Keys per ListObjectsV2 page (S3 caps it at 1000). */
  readonly listPageSize: number;
}

/** The FileIO properties an Iceberg REST catalog may return for a table. */
export type FileIOProperties = Readonly<Record<string, string | undefined>>;

export const S3_DEFAULTS = {
  region: 'us-east-1',
  requestTimeoutMs: 60_000,
  // Rides through a store restart or a pause of a minute or two.
  retryDeadlineMs: 180_000,
  partSizeBytes: 8 * 1024 * 1024,
  uploadConcurrency: 4,
  listPageSize: 1000,
} as const;

/** S3 refuses parts below this size, except the last one. */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

export interface ConfigSources {
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
}

export function resolveS3Config(
  properties: FileIOProperties = {},
  sources: ConfigSources = { env: process.env, homeDir: homedir() },
): S3Config {
  const { env } = sources;
  // Read only when a setting is not given otherwise: a broken profile must not stop a configured run.
  let loaded: SharedProfile | undefined;
  const profile = (): SharedProfile => (loaded ??= sharedProfile(env, sources.homeDir));
  const fromProfile = (key: string): string | undefined => profile().settings[key] || undefined;
  const endpoint = properties['s3.endpoint'] || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || fromProfile('endpoint_url');
  const pathStyle = properties['s3.path-style-access'];
  return {
    endpoint: endpoint?.replace(/\/+$/, ''),
    region: properties['s3.region'] || properties['client.region'] || env.AWS_REGION || env.AWS_DEFAULT_REGION || fromProfile('region') || S3_DEFAULTS.region,
    credentials: credentialsFrom(properties, env, profile),
    // Stores other than AWS seldom have wildcard DNS for virtual-host buckets.
    pathStyle: pathStyle ? pathStyle === 'true' : endpoint !== undefined,
    requestTimeoutMs: durationSetting('lakegraph.s3.request-timeout / LAKEGRAPH_S3_REQUEST_TIMEOUT', properties['lakegraph.s3.request-timeout'] ?? env.LAKEGRAPH_S3_REQUEST_TIMEOUT, S3_DEFAULTS.requestTimeoutMs),
    retryDeadlineMs: durationSetting('lakegraph.s3.retry-deadline / LAKEGRAPH_S3_RETRY_DEADLINE', properties['lakegraph.s3.retry-deadline'] ?? env.LAKEGRAPH_S3_RETRY_DEADLINE, S3_DEFAULTS.retryDeadlineMs),
    partSizeBytes: Math.max(MIN_PART_SIZE_BYTES, countSetting('s3.multipart.part-size-bytes', properties['s3.multipart.part-size-bytes'], S3_DEFAULTS.partSizeBytes)),
    uploadConcurrency: countSetting('s3.multipart.num-threads', properties['s3.multipart.num-threads'], S3_DEFAULTS.uploadConcurrency),
    listPageSize: S3_DEFAULTS.listPageSize,
  };
}

function credentialsFrom(properties: FileIOProperties, env: NodeJS.ProcessEnv, profile: () => SharedProfile): AwsCredentials {
  if (properties['s3.access-key-id'] && properties['s3.secret-access-key']) {
    return { accessKeyId: properties['s3.access-key-id'], secretAccessKey: properties['s3.secret-access-key'], sessionToken: properties['s3.session-token'] };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  }
  const { settings } = profile();
  if (settings.aws_access_key_id && settings.aws_secret_access_key) {
    return { accessKeyId: settings.aws_access_key_id, secretAccessKey: settings.aws_secret_access_key, sessionToken: settings.aws_session_token };
  }
  const why = unsupportedCredentialSource(profile()) ?? `AWS profile ${profile().name} has no aws_access_key_id/aws_secret_access_key`;
  throw new Error(
    `no S3 credentials: ${why}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or s3.access-key-id/s3.secret-access-key from the catalog), or static keys in the AWS profile`,
  );
}

function durationSetting(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const ms = durationMs(text);
  if (ms === undefined) throw new SettingError(`${name}: "${text}" is not a duration; ${DURATION_EXAMPLES}`);
  return ms;
}

function countSetting(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new SettingError(`${name}: "${text}" is not a positive whole number`);
  return n;
}
