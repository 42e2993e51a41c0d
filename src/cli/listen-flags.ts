/** Where a command's HTTP endpoint listens: the host and port flags of `serve` and of ingest's metrics, checked alike. */
import { isIP } from 'node:net';
import { UsageError, type FlagSpec, type FlagValues } from './args.js';

/** Loopback unless asked: an endpoint reachable from other hosts is a deliberate choice (a pod, behind auth). */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function hostFlag(name: string, what: string): FlagSpec {
  return { name, kind: 'string', placeholder: 'ADDR', help: `IP address ${what} listens on; 0.0.0.0 or :: for every interface (default ${DEFAULT_LISTEN_HOST})` };
}

/** The address of the `hostName`/`portName` flags; undefined when the port is not given. */
export function listenAddressFromFlags(flags: FlagValues, hostName: string, portName: string): ListenAddress | undefined {
  const port = flags[portName] as number | undefined;
  const host = flags[hostName] as string | undefined;
  if (port === undefined) {
    if (host !== undefined) throw new UsageError(`--${hostName} needs --${portName}`);
    return undefined;
  }
  if (port < 0 || port > 65535) throw new UsageError(`--${portName}: ${port} is not a TCP port`);
  if (host !== undefined && isIP(host) === 0) throw new UsageError(`--${hostName}: "${host}" is not an IP address; use e.g. ${DEFAULT_LISTEN_HOST}, or 0.0.0.0 for every interface`);
  return { host: host ?? DEFAULT_LISTEN_HOST, port };
}

/** `scheme://host:port`, with an IPv6 host in brackets. */
export function listenUrl(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Whether only this host can reach the address. */
export function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}
