import { defaultPatienceMs } from './eventually';
/** One Server-Sent Event as a client sees it. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads a text/event-stream response as it arrives (fetch's body reader) and parses it the way
 * EventSource does: fields per line, a blank line ends a message, `:` lines are comments.
 */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  /** Set when the server ended the stream (cleanly: `done`; cut: `error`). */
  ended: { error?: unknown } | undefined;
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private waiters: (() => void)[] = [];

  constructor(readonly response: Response) {
    if (!response.body) throw new Error('the response has no body');
    this.reader = response.body.getReader();
    void this.pump();
  }

  /** The `data` of each message, parsed as JSON. */
  get data(): any[] {
    return this.messages.map((m) => JSON.parse(m.data));
  }

  async waitFor(n: number, ms = defaultPatienceMs): Promise<SseMessage[]> {
    await this.until(() => this.messages.length >= n, `${n} messages`, ms);
    return this.messages;
  }

  async waitForEnd(ms = defaultPatienceMs): Promise<{ error?: unknown }> {
    await this.until(() => this.ended !== undefined, 'the stream to end', ms);
    return this.ended!;
  }

  async until(condition: () => boolean, what: string, ms = defaultPatienceMs): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (this.ended && !what.includes('end')) throw new Error(`the stream ended while waiting for ${what}; have ${this.messages.length} messages`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Disconnects, as a browser tab closing would. */
  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        this.buffer += this.decoder.decode(value, { stream: true });
        this.parse();
      }
      this.ended = {};
    } catch (error) {
      this.ended = { error };
    }
    this.wake();
  }

  private parse(): void {
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) {
        message.data = data.join('\n');
        this.messages.push(message);
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
