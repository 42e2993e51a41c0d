/**
 * The DuckDB CLI statements that let a script read `s3://` files the way lakegraph's
 * S3FileIO does: httpfs, and an S3 secret with the same endpoint, region and addressing.
 * The keys are not written into the script unless asked: the DuckDB CLI's `getenv()`
 * reads the AWS variables when the script runs (DuckDB's `credential_chain` provider
 * would need the aws extension, which the venv does not ship).
 */
import type { S3Config } from '../lake/io/s3-config.js';
import { sqlString } from './snapshot-views.js';

export const DUCKDB_S3_SECRET = 'lakegraph_s3';

const FROM_ENVIRONMENT = {
  KEY_ID: "getenv('AWS_ACCESS_KEY_ID')",
  SECRET: "getenv('AWS_SECRET_ACCESS_KEY')",
  SESSION_TOKEN: "getenv('AWS_SESSION_TOKEN')",
};

export function duckdbS3Setup(config: S3Config, { includeCredentials }: { includeCredentials: boolean }): string[] {
  const { accessKeyId, secretAccessKey, sessionToken } = config.credentials;
  const keys = includeCredentials
    ? { KEY_ID: sqlString(accessKeyId), SECRET: sqlString(secretAccessKey), ...(sessionToken ? { SESSION_TOKEN: sqlString(sessionToken) } : {}) }
    : FROM_ENVIRONMENT;
  const endpoint = config.endpoint === undefined ? undefined : new URL(config.endpoint);
  const settings: Record<string, string> = {
    TYPE: 's3',
    ...keys,
    REGION: sqlString(config.region),
    ...(endpoint ? { ENDPOINT: sqlString(`${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}`), USE_SSL: String(endpoint.protocol === 'https:') } : {}),
    URL_STYLE: sqlString(config.pathStyle ? 'path' : 'vhost'),
  };
  return ['LOAD httpfs;', `CREATE OR REPLACE SECRET ${DUCKDB_S3_SECRET} (${Object.entries(settings).map(([k, v]) => `${k} ${v}`).join(', ')});`];
}

/** Whether the script's keys, read from the AWS variables when it runs, are the ones lakegraph used. */
export function credentialsFromEnvironment(config: S3Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_ACCESS_KEY_ID === config.credentials.accessKeyId && env.AWS_SECRET_ACCESS_KEY === config.credentials.secretAccessKey;
}
