/** What a log line or a wrapping error says of a caught value (anything can be thrown). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
