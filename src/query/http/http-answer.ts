/** How serve's routes answer: JSON bodies (or Prometheus text), and errors that carry their status. */
import type { ServerResponse } from 'node:http';
import { stringifyJson } from '../../common/lossless-json.js';

/** A request the service refuses: answered with `status` and `{"error": message, "issues"?: […]}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: readonly string[],
  ) {
    super(message);
  }
}

/** Sends a JSON body (a string body is Prometheus text); nothing once the head went out. */
export function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  const text = typeof body === 'string' ? body : stringifyJson(body) + '\n';
  response.writeHead(status, { ...headers, 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json' });
  response.end(text);
}
