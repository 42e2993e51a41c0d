/**
 * `serve`'s access flags: the bearer token every route but /healthz requires (from a file, or
 * LAKEGRAPH_AUTH_TOKEN), and the certificate and key that make it answer HTTPS. Anything
 * unreadable or unusable is a configuration mistake, found before the service starts.
 */
import { createSecureContext } from 'node:tls';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';
import { readFlagFile, secretFromFileOrEnv } from './flag-files.js';

export const AUTH_TOKEN_ENV = 'LAKEGRAPH_AUTH_TOKEN';

export const SECURITY_FLAGS: readonly FlagSpec[] = [
  { name: 'auth-token-file', kind: 'string', placeholder: 'F', help: `require "Authorization: Bearer <token>" on every route but /healthz, the token being F's content (or ${AUTH_TOKEN_ENV}'s value)` },
  { name: 'tls-cert', kind: 'string', placeholder: 'F', help: 'answer HTTPS with this PEM certificate (chain); needs --tls-key' },
  { name: 'tls-key', kind: 'string', placeholder: 'F', help: 'the PEM private key of --tls-cert' },
];

export interface ServeSecurity {
  readonly authToken?: string;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

function authToken(flags: FlagValues, env: NodeJS.ProcessEnv): string | undefined {
  const token = secretFromFileOrEnv(flags, 'auth-token-file', AUTH_TOKEN_ENV, env, 'token');
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token.value)) throw new UsageError(`${token.source}: the token must be printable ASCII without spaces, as an Authorization header carries it`);
  return token?.value;
}

function tls(flags: FlagValues): ServeSecurity['tls'] {
  const certFile = flags['tls-cert'] as string | undefined;
  const keyFile = flags['tls-key'] as string | undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError('give --tls-cert and --tls-key together');
  const pair = { cert: readFlagFile('tls-cert', certFile), key: readFlagFile('tls-key', keyFile) };
  try {
    createSecureContext(pair);
  } catch (error) {
    throw new UsageError(`--tls-cert ${certFile} / --tls-key ${keyFile}: ${(error as Error).message}`);
  }
  return pair;
}

export function serveSecurityFromFlags(flags: FlagValues, env: NodeJS.ProcessEnv = process.env): ServeSecurity {
  return { authToken: authToken(flags, env), tls: tls(flags) };
}
