/**
 * Request signing for taskgate callers, version 2 of the VirtShell scheme, for Node and browsers.
 *
 *   X-VirtShell-Authorization: <KeyId-or-UserId>:<Signature>
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = VERB \n Host \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource
 *
 * HMAC comes from WebCrypto (`crypto.subtle`, in Node 20 and in browsers on https:// or localhost).
 * WebCrypto has no MD5, so Content-MD5 comes from node:crypto in Node and, in browsers, from an
 * `md5` function the caller gives (blueimp-md5's `md5(text, null, true)` fits) or blueimp-md5's
 * global when its script is on the page.
 *
 * This file imports nothing: the build wraps it as-is for the pages taskgate serves
 * (window.taskgateClient), so the board, the playground and npm callers sign with one code.
 */

/** An access key: `key` is the access key id (`k_…`) or the user id; both sign the same way. */
export interface Credentials {
  key: string;
  secret: string;
}

/** Returns the raw (binary string) MD5 digest of the UTF-8 bytes of `text`, as blueimp-md5's `md5(text, null, true)` does. */
export type RawMd5 = (text: string) => string;

export interface SignerOptions {
  /** MD5 for browsers (Node uses node:crypto): blueimp-md5's `(text) => md5(text, null, true)`. */
  md5?: RawMd5;
  /** Clock for the Date (tests). */
  now?: () => Date;
}

export interface RequestToSign {
  method: string;
  /** Absolute URL as it will be sent (its host and path are signed, and its query when it has one). */
  url: string | URL;
  /** The body exactly as it will be sent; strings are sent as UTF-8. */
  body?: string | Uint8Array;
  contentType?: string;
  date?: Date;
}

/** The VERB of the graphql-ws handshake, so a captured HTTP GET signature cannot open a socket. */
export const websocketVerb = 'GRAPHQL-WS';
/** Query parameters of a presigned URL; they are left out of the signed resource. */
export const presignParameters = { key: 'X-VirtShell-Key', expires: 'X-VirtShell-Expires', signature: 'X-VirtShell-Signature' } as const;

const presignNames = new Set<string>(Object.values(presignParameters));

/** RFC 3986 encoding: unreserved characters kept, everything else %XX (upper case) of its UTF-8 bytes. */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The path as sent, then, when the query has any parameter besides the presign ones, `?` and the
 * parameters sorted by name then value, each `name=value` RFC 3986 encoded, joined by `&`.
 */
export function canonicalResource(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const pairs: [string, string][] = [];
  // Decoded as the server reads them (URLSearchParams: `+` is a space), then RFC 3986 encoded.
  for (const [name, value] of new URLSearchParams(parsed.search)) {
    if (!presignNames.has(name)) pairs.push([rfc3986(name), rfc3986(value)]);
  }
  if (pairs.length === 0) return parsed.pathname;
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return `${parsed.pathname}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/** VERB \n Host \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource */
export function stringToSign(parts: { verb: string; host: string; contentMd5?: string; contentType?: string; date: string; resource: string }): string {
  return [parts.verb, parts.host, parts.contentMd5 ?? '', parts.contentType ?? '', parts.date, parts.resource].join('\n');
}

/** ISO 8601 with milliseconds: two identical writes in one second still sign differently. */
export function signingDate(date: Date = new Date()): string {
  return date.toISOString();
}

interface SubtleLike {
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: string; hash: string }, extractable: boolean, usages: string[]): Promise<unknown>;
  sign(algorithm: string, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

function subtle(): SubtleLike {
  const found = (globalThis as { crypto?: { subtle?: SubtleLike } }).crypto?.subtle;
  if (!found) throw new Error('taskgate/client: signing needs WebCrypto (crypto.subtle), which browsers offer only on https:// pages and on localhost.');
  return found;
}

const utf8 = new TextEncoder();
const keys = new Map<string, Promise<unknown>>();

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** Base64(HMAC-SHA1(secret, UTF-8(text))). */
export async function hmacSha1(secret: string, text: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) {
    key = subtle().importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    // A handful of secrets per process at most; forget the oldest beyond that.
    if (keys.size >= 16) keys.delete(keys.keys().next().value as string);
    keys.set(secret, key);
  }
  return base64(new Uint8Array(await subtle().sign('HMAC', await key, utf8.encode(text))));
}

interface NodeHash {
  update(data: string | Uint8Array): NodeHash;
  digest(encoding: 'base64'): string;
}
type NodeCrypto = { createHash(algorithm: string): NodeHash };

/** node:crypto when running in Node, found without an import so browser bundlers leave it alone. */
function nodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown; versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return undefined;
  if (typeof proc.getBuiltinModule === 'function') return proc.getBuiltinModule('node:crypto') as NodeCrypto;
  // Node before 20.16: CommonJS builds still see `require`.
  return typeof require === 'function' ? (require('node:crypto') as NodeCrypto) : undefined;
}

/** Base64 of the MD5 digest of the body's bytes: the value of Content-MD5. */
export function contentMd5(body: string | Uint8Array, md5?: RawMd5): string {
  const node = nodeCrypto();
  if (node) return node.createHash('md5').update(body).digest('base64');
  const raw = md5 ?? (globalThis as { md5?: (text: string, key: null, raw: true) => string }).md5;
  if (!raw) throw new Error('taskgate/client: Content-MD5 in a browser needs an md5 function (pass md5, e.g. from blueimp-md5); WebCrypto has no MD5.');
  if (typeof body !== 'string') body = new TextDecoder().decode(body);
  return btoa(md5 ? md5(body) : raw(body, null, true));
}

const lastMoments = new Map<string, number>();

/**
 * The signing time of a request: now, or one millisecond after the last identical request signed
 * here if that was in the same millisecond (two identical writes sent at once), so no two requests
 * of this process ever share a signature. Forgets requests older than a second once it holds many.
 */
function uniqueMoment(request: string, now: number): Date {
  const last = lastMoments.get(request);
  const at = last !== undefined && last >= now ? last + 1 : now;
  if (lastMoments.size >= 1000) for (const [key, time] of lastMoments) if (time < now - 1000) lastMoments.delete(key);
  lastMoments.set(request, at);
  return new Date(at);
}

/**
 * The headers that sign one HTTP request: X-VirtShell-Authorization and X-VirtShell-Date (an ISO
 * date with milliseconds), Content-MD5 and Content-Type when there is a body.
 */
export async function sign(credentials: Credentials, request: RequestToSign, options: SignerOptions = {}): Promise<Record<string, string>> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const verb = request.method.toUpperCase();
  const hasBody = request.body !== undefined && request.body.length > 0;
  const md5 = hasBody ? contentMd5(request.body as string | Uint8Array, options.md5) : '';
  const contentType = request.contentType ?? '';
  const resource = canonicalResource(url);
  const when = request.date ?? uniqueMoment(`${credentials.key}\n${verb}\n${url.host}\n${md5}\n${contentType}\n${resource}`, (options.now?.() ?? new Date()).getTime());
  const date = signingDate(when);
  const signature = await hmacSha1(credentials.secret, stringToSign({ verb, host: url.host, contentMd5: md5, contentType, date, resource }));
  const headers: Record<string, string> = { 'X-VirtShell-Authorization': `${credentials.key}:${signature}`, 'X-VirtShell-Date': date };
  if (md5) headers['Content-MD5'] = md5;
  if (contentType) headers['Content-Type'] = contentType;
  return headers;
}

/**
 * graphql-ws `connectionParams` for a socket to `url` (ws:// or wss://): `{authorization, date}`
 * signing VERB GRAPHQL-WS, the host, empty MD5 and type, the date and the path. Pass the function
 * `() => connectionParams(...)` to graphql-ws, not its result, so every reconnect signs afresh.
 */
export async function connectionParams(credentials: Credentials, url: string | URL, options: SignerOptions = {}): Promise<{ authorization: string; date: string }> {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const date = signingDate(options.now?.() ?? new Date());
  const signature = await hmacSha1(credentials.secret, stringToSign({ verb: websocketVerb, host: parsed.host, date, resource: parsed.pathname }));
  return { authorization: `${credentials.key}:${signature}`, date };
}

export interface PresignOptions extends SignerOptions {
  /** Seconds the URL stays valid (default 900; the server refuses more than TASKGATE_PRESIGN_MAX_SECONDS, default 3600). */
  expiresIn?: number;
  /** `GET` for the Server-Sent Events feed (default), `GRAPHQL-WS` for the WebSocket handshake; ws:// and wss:// URLs default to GRAPHQL-WS. */
  verb?: 'GET' | typeof websocketVerb;
}

/**
 * A presigned URL (key, expiry and signature in the query string), for callers that cannot set
 * headers: a browser EventSource on /tasks/events, a WebSocket on /graphql. GET only.
 */
export async function presign(credentials: Credentials, url: string | URL, options: PresignOptions = {}): Promise<string> {
  const parsed = new URL(typeof url === 'string' ? url : url.href);
  const socket = parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  const verb = options.verb ?? (socket ? websocketVerb : 'GET');
  const now = options.now?.() ?? new Date();
  const expires = String(Math.floor(now.getTime() / 1000) + Math.floor(options.expiresIn ?? 900));
  // The caller's parameters stay exactly as written (re-serialising would turn %20 into +).
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((part) => part && !presignNames.has([...new URLSearchParams(part).keys()][0] ?? ''));
  parsed.search = kept.join('&');
  const signature = await hmacSha1(credentials.secret, stringToSign({ verb, host: parsed.host, date: expires, resource: canonicalResource(parsed) }));
  const added = [
    [presignParameters.key, credentials.key],
    [presignParameters.expires, expires],
    [presignParameters.signature, signature],
  ].map(([name, value]) => `${name}=${rfc3986(value)}`);
  parsed.search = [...kept, ...added].join('&');
  return parsed.href;
}

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface SignedFetchOptions extends SignerOptions {
  /** The fetch to wrap (default: the global one). */
  fetch?: FetchLike;
}

/**
 * A `fetch` that signs every request it sends, for any library that takes a fetch (Apollo's
 * HttpLink, urql, graphql-request, openapi-fetch). Bodies must be strings or bytes (what GraphQL
 * clients send) so their Content-MD5 can be computed.
 */
export function signedFetch(credentials: Credentials, options: SignedFetchOptions = {}): FetchLike {
  return async (input, init = {}) => {
    const base = options.fetch ?? (globalThis.fetch as FetchLike);
    const request = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
    const url = request ? request.url : String(input);
    const method = init.method ?? request?.method ?? 'GET';
    const headers = new Headers(init.headers ?? request?.headers);
    let body = init.body ?? undefined;
    if (body === undefined && request && request.body) body = new Uint8Array(await request.clone().arrayBuffer());
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      if (body instanceof ArrayBuffer) body = new Uint8Array(body);
      else throw new TypeError('taskgate/client signedFetch: the body must be a string or bytes to compute its Content-MD5');
    }
    // fetch labels a string body text/plain unless told otherwise, after it was signed; bytes go
    // out with exactly the headers given.
    if (typeof body === 'string') body = utf8.encode(body);
    const absolute = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
    const signed = await sign(credentials, { method, url: absolute, body: (body as string | Uint8Array | null) ?? undefined, contentType: headers.get('content-type') ?? undefined }, options);
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    return base(absolute.href, { ...init, method, headers, body: (body as RequestInit['body']) ?? undefined });
  };
}
