/**
 * A small Server-Sent Events client for tests (the WHATWG EventSource parsing rules):
 * `field: value` lines, one optional space after the colon, `:` comment lines, an event
 * dispatched at a blank line, `event` defaulting to "message". Reads with node:http so a
 * test can cut the connection when it likes and send Last-Event-ID itself.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

export class SseStream {
  /** Comment lines (heartbeats) read so far. */
  comments = 0;
  private readonly events: SseEvent[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private pending = '';
  private fields: { id?: string; event?: string; data: string[] } = { data: [] };

  private constructor(
    private readonly req: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.parse(chunk));
    const end = () => {
      this.ended = true;
      this.waiter?.();
    };
    response.on('end', end);
    response.on('close', end);
    response.on('error', end);
  }

  /** Opens the stream; resolves once the response head arrived, whatever its status. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => resolve(new SseStream(req, response)));
      req.once('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** The whole body, for a response that is not a stream (an error). */
  async body(): Promise<string> {
    while (!this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.pending;
  }

  /** The next event; rejects after `timeoutMs` or when the stream ends first. */
  async next(timeoutMs: number): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.events.shift();
      if (event !== undefined) return event;
      if (this.ended) throw new Error('the event stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Cuts the connection, as a client that goes away does. */
  close(): void {
    this.req.destroy();
  }

  private parse(chunk: string): void {
    if (this.status !== 200) {
      this.pending += chunk;
      return;
    }
    const lines = (this.pending + chunk).split(/\r\n|\r|\n/);
    this.pending = lines.pop()!;
    for (const line of lines) {
      if (line === '') this.dispatch();
      else if (line.startsWith(':')) this.comments++;
      else {
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') this.fields.data.push(value);
        else if (name === 'id' || name === 'event') this.fields[name] = value;
      }
    }
    this.waiter?.();
  }

  private dispatch(): void {
    const { id, event, data } = this.fields;
    this.fields = { data: [] };
    if (data.length === 0) return;
    this.events.push({ id, event: event ?? 'message', data: data.join('\n') });
  }
}
