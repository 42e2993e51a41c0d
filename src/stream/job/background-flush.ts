/**
 * The one flush a streaming loop may have writing in the background: whether it is still
 * writing, a promise that settles when it is done (never rejects), and the failure it left,
 * which the loop answers by re-reading from the lake.
 */
export class BackgroundFlush {
  private done: Promise<void> = Promise.resolve();
  private writing = false;
  private failed: { readonly error: unknown } | undefined;

  get inFlight(): boolean {
    return this.writing;
  }

  /** The failure of the last flush, until `forgetFailure`. */
  get failure(): { readonly error: unknown } | undefined {
    return this.failed;
  }

  /** Settles once the flush in flight (if any) is done, whatever its outcome. */
  settled(): Promise<void> {
    return this.done;
  }

  /** Starts `flush` (the caller waited for the one before); `onSuccess`, which must not reject, runs before it counts as done. */
  start<T>(flush: () => Promise<T>, onSuccess: (result: T) => Promise<void>): void {
    this.writing = true;
    this.done = flush()
      .then(onSuccess, (error: unknown) => {
        this.failed = { error };
      })
      .finally(() => (this.writing = false));
  }

  forgetFailure(): void {
    this.failed = undefined;
  }
}
