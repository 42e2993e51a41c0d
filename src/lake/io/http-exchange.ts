/**
 * One HTTP request and its whole reply, over node:http(s) with kept-alive connections.
 * Not fetch: Node 20's fetch moves large bodies 2–4× slower than node:http (its web
 * streams cost per chunk), which for Parquet files is most of the time spent
 * (docs/BENCHMARKS.md, "Object storage").
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpReply {
  readonly status: number;
  readonly statusText: string;
  /** Names lower-cased. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpExchange {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** The whole exchange, reply body included, fails after this long. */
  readonly timeoutMs: number;
}

/** No reply, or no whole reply, within the exchange's time. */
export class HttpTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export type KeepAliveAgent = HttpAgent | HttpsAgent;

export function keepAliveAgent(url: URL): KeepAliveAgent {
  return url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
}

export function httpExchange(url: URL, exchange: HttpExchange, agent: KeepAliveAgent): Promise<HttpReply> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: exchange.method, headers: exchange.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => request.destroy(new HttpTimeoutError(exchange.timeoutMs)), exchange.timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.end(exchange.body);
  });
}
