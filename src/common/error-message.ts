/** What a log line or a wrapping error says of a caught value (anything can be thrown). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first system error code (ECONNREFUSED, ENOTFOUND…) down a chain of causes, if any. */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code) return code;
  }
  return undefined;
}

/** The most telling name of a connection failure: its system error code, else the innermost message. */
export function networkFailureReason(error: unknown): string {
  const code = systemErrorCode(error);
  if (code) return code;
  let innermost = error;
  while (innermost instanceof Error && innermost.cause !== undefined) innermost = innermost.cause;
  return errorMessage(innermost);
}
