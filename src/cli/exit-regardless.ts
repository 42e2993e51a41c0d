/**
 * A kafkajs send, reconnect or group leave keeps retrying after its caller gave up (its
 * retries cannot be cancelled) and would keep a finished process alive for a minute or
 * more. A command that is done arms this; it fires only if something still holds the
 * process after `ms`.
 */
export function exitRegardlessAfter(ms: number, code: number): void {
  setTimeout(() => process.exit(code), ms).unref();
}
