/**
 * The `fetch` lakegraph hands iceberg-js, so that 64-bit snapshot ids cross the REST API
 * exactly. iceberg-js reads every response with JSON.parse and writes every request body
 * with JSON.stringify: the first rounds an id above 2^53−1, the second refuses a bigint.
 * Between iceberg-js and the wire, such integers travel as tagged strings
 * (common/lossless-json.ts): a response's big integer literals become tags before
 * iceberg-js parses them, and a request's tags (RestCatalog tags the bigints of what it
 * sends) become bare integer literals again before the body leaves.
 */
import { tagUnsafeIntegers, untagIntegers } from '../../common/lossless-json.js';

export function int64JsonFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const body = typeof init?.body === 'string' ? untagIntegers(init.body) : init?.body;
    const response = await inner(input, { ...init, body });
    if (response.body === null || !(response.headers.get('content-type') ?? '').includes('application/json')) return response;
    const text = tagUnsafeIntegers(await response.text());
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
