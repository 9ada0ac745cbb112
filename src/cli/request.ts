import type { Command } from 'commander';
import { presign, sign } from '../client/signing';
import type { KeyCommandIo } from './keys';

/** `taskgate sign` and `taskgate call`: requests signed with the client kit (src/client), as any caller signs them. */

interface RequestOptions {
  data?: string;
  user?: string;
  secret?: string;
  header: string[];
  url?: boolean;
  expires?: string;
}

/** The exit codes these commands use (the CLI's: 1 the work failed, 2 bad usage). */
const failed = 1;
const usage = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withRequestOptions(command: Command): Command {
  return command
    .argument('<method>', 'HTTP method, e.g. GET or POST')
    .argument('<url>', 'full URL, e.g. http://localhost:4000/api/virtshell/v1/tasks/')
    .option('--data <json>', 'request body (sent as application/json with its Content-MD5 unless --header gives a Content-Type)')
    .option('--header <line>', "an extra header, 'Name: value' (repeatable)", collect, [])
    .option('--user <id>', 'access key id (k_...) or user id of the key (default: TASKGATE_USER)')
    .option('--secret <secret>', 'secret of the key (default: TASKGATE_SECRET)');
}

export function addRequestCommands(program: Command, io: KeyCommandIo): void {
  const credentialsOf = (options: RequestOptions) => {
    const key = options.user ?? process.env.TASKGATE_USER;
    const secret = options.secret ?? process.env.TASKGATE_SECRET;
    if (!key || !secret) io.fail('give --user and --secret (or TASKGATE_USER and TASKGATE_SECRET)', usage);
    return { key, secret };
  };

  const requestOf = (command: string, method: string, url: string, options: RequestOptions, schemes = ['http:', 'https:']) => {
    const target = parseUrl(url);
    if (!target || !schemes.includes(target.protocol)) {
      io.fail(`${command}: "${url}" is not a full URL; give it with the scheme, e.g. http://localhost:4000/graphql`, usage);
    }
    if (!/^[A-Za-z][A-Za-z-]*$/.test(method)) io.fail(`${command}: "${method}" is not an HTTP method, e.g. GET or POST`, usage);
    const headers = new Headers();
    for (const line of options.header) {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) io.fail(`${command}: --header "${line}" is not 'Name: value'`, usage);
      headers.append(name, line.slice(colon + 1).trim());
    }
    const body = options.data;
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return { url: target, method: method.toUpperCase(), headers, body };
  };

  withRequestOptions(program.command('sign'))
    .description('print the signed headers for a request, or with --url a presigned URL (for EventSource and WebSocket clients)')
    .option('--url', 'print a presigned URL instead of headers: GET on /tasks/events, or a ws:// URL for the GraphQL WebSocket')
    .option('--expires <seconds>', 'how long a presigned URL stays valid (the server allows up to TASKGATE_PRESIGN_MAX_SECONDS)', '900')
    .action(async (method: string, url: string, options: RequestOptions) => {
      if (options.url) {
        const request = requestOf('sign --url', method, url, options, ['http:', 'https:', 'ws:', 'wss:']);
        if (request.method !== 'GET') io.fail(`sign --url: presigned URLs are for GET only (the event feed and the WebSocket), not ${request.method}`, usage);
        const expiresIn = Number(options.expires);
        if (!Number.isInteger(expiresIn) || expiresIn <= 0) io.fail(`sign --url: --expires must be a whole number of seconds, not "${options.expires}"`, usage);
        io.out(await presign(credentialsOf(options), request.url, { expiresIn }));
        return;
      }
      const request = requestOf('sign', method, url, options);
      const credentials = credentialsOf(options);
      const signed = await sign(credentials, { method: request.method, url: request.url, body: request.body, contentType: request.headers.get('content-type') ?? undefined });
      for (const [name, value] of Object.entries(signed)) io.out(`${name}: ${value}`);
    });

  withRequestOptions(program.command('call'))
    .description('sign a request, send it to a running taskgate and print the answer (an event stream is printed as it arrives)')
    .action(async (method: string, url: string, options: RequestOptions) => {
      const request = requestOf('call', method, url, options);
      const credentials = credentialsOf(options);
      const signed = await sign(credentials, { method: request.method, url: request.url, body: request.body, contentType: request.headers.get('content-type') ?? undefined });
      for (const [name, value] of Object.entries(signed)) request.headers.set(name, value);
      let response: Response;
      try {
        response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
      } catch (error) {
        io.fail(`call: cannot reach ${request.url.origin}: ${reasonOf(error)}`, failed);
      }
      io.out(`HTTP ${response.status}`);
      if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream') && response.body) {
        await printStream(response.body, io.out);
      } else {
        io.out(await response.text());
      }
      if (response.status >= 400) io.fail('', failed);
    });
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.host ? url : undefined;
  } catch {
    return undefined;
  }
}

/** What went wrong reaching the server, in words (fetch hides it in `cause`). */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is taskgate running there?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return cause?.message ?? (error as Error)?.message ?? String(error);
}

/** Prints an event stream line by line as it arrives, until the server ends it (or Ctrl-C). */
async function printStream(body: ReadableStream<Uint8Array>, out: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out(line);
  }
  if (pending) out(pending);
}
