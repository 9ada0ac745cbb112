import { createHash, createHmac } from 'node:crypto';

/**
 * A client-side signer written from the spec (signing version 2, README "Authentication"),
 * deliberately independent of src/auth: if the server's reading of the scheme drifts, these
 * tests notice.
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = VERB \n Host \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource
 *   CanonicalizedResource = path as sent [+ "?" + query parameters sorted, RFC 3986 encoded]
 */
export interface SignInput {
  method: string;
  host: string;
  /** Path as sent, with its query string (signed too). */
  path: string;
  body?: string | Buffer;
  contentType?: string;
  /** Send Content-MD5 (default: whenever there is a body). */
  md5?: boolean;
  /** Defaults to now. */
  date?: Date;
  /** The date as written: ISO 8601 with milliseconds (default) or the RFC 1123 HTTP date (one-second resolution). */
  dateFormat?: 'iso' | 'http';
  /** Put the date in X-VirtShell-Date instead of Date (what browsers must do). */
  virtshellDate?: boolean;
  /** Use `Authorization` instead of `X-VirtShell-Authorization`. */
  plainAuthorization?: boolean;
  /** Name this before the colon instead of the user id (e.g. the access key id). */
  principal?: string;
}

export interface Credentials {
  user: string;
  secret: string;
}

export function md5Base64(body: string | Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

export function hmacSha1Base64(secret: string, text: string): string {
  return createHmac('sha1', Buffer.from(secret, 'utf8')).update(Buffer.from(text, 'utf8')).digest('base64');
}

export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** RFC 3986: A-Z a-z 0-9 - . _ ~ kept, every other UTF-8 byte %XX in upper case. */
function strictEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const presignNames = ['X-VirtShell-Key', 'X-VirtShell-Expires', 'X-VirtShell-Signature'];

/** The canonical resource of a path with its query, as the spec words it. */
export function canonicalResource(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q === -1) return pathAndQuery;
  const pairs = [...new URLSearchParams(pathAndQuery.slice(q + 1))]
    .filter(([name]) => !presignNames.includes(name))
    .map(([name, value]) => [strictEncode(name), strictEncode(value)]);
  if (pairs.length === 0) return pathAndQuery.slice(0, q);
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  return `${pathAndQuery.slice(0, q)}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/** The string a request signs (what the server answers as `stringToSign` when it does not match). */
export function stringToSignOf(input: SignInput): string {
  const hasBody = input.body !== undefined && input.body.length > 0;
  const md5 = (input.md5 ?? hasBody) && input.body !== undefined ? md5Base64(input.body) : '';
  const date = dateText(input);
  return `${input.method.toUpperCase()}\n${input.host}\n${md5}\n${input.contentType ?? ''}\n${date}\n${canonicalResource(input.path)}`;
}

function dateText(input: SignInput): string {
  const date = input.date ?? new Date();
  return input.dateFormat === 'http' ? httpDate(date) : date.toISOString();
}

/** The headers a signing client sends: authorization, date, and Content-MD5/Type when given. */
export function signedHeaders(credentials: Credentials, input: SignInput): Record<string, string> {
  const date = dateText(input);
  const fixed = { ...input, date: input.date ?? new Date(Date.parse(date)) };
  const hasBody = input.body !== undefined && input.body.length > 0;
  const md5 = (input.md5 ?? hasBody) && input.body !== undefined ? md5Base64(input.body) : '';
  const headers: Record<string, string> = {};
  headers[input.plainAuthorization ? 'authorization' : 'x-virtshell-authorization'] = `${input.principal ?? credentials.user}:${hmacSha1Base64(credentials.secret, stringToSignOf(fixed))}`;
  headers[input.virtshellDate ? 'x-virtshell-date' : 'date'] = date;
  if (md5) headers['content-md5'] = md5;
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  return headers;
}

/** WebSocket connectionParams: GRAPHQL-WS, the host, empty MD5 and type, the date, and /graphql. */
export function signedConnectionParams(credentials: Credentials, host: string, date = new Date(), verb = 'GRAPHQL-WS'): { authorization: string; date: string } {
  const text = `${verb}\n${host}\n\n\n${date.toISOString()}\n/graphql`;
  return { authorization: `${credentials.user}:${hmacSha1Base64(credentials.secret, text)}`, date: date.toISOString() };
}

/**
 * A presigned URL: the query gains X-VirtShell-Key, X-VirtShell-Expires (epoch seconds) and
 * X-VirtShell-Signature over `VERB \n Host \n \n \n Expires \n resource`.
 */
export function presignedUrl(credentials: Credentials, url: string, expiresAt: Date, verb = 'GET', principal = credentials.user): string {
  const parsed = new URL(url);
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  const text = `${verb}\n${parsed.host}\n\n\n${expires}\n${canonicalResource(parsed.pathname + parsed.search)}`;
  parsed.searchParams.append('X-VirtShell-Key', principal);
  parsed.searchParams.append('X-VirtShell-Expires', expires);
  parsed.searchParams.append('X-VirtShell-Signature', hmacSha1Base64(credentials.secret, text));
  return parsed.toString();
}

/**
 * Signs requests for a test client. With millisecond dates two writes differ unless they are
 * made in the same millisecond; a client that really means to repeat itself moves its date back
 * a millisecond, which is what this does.
 */
export class TestSigner {
  private readonly recent = new Map<string, number>();

  constructor(readonly credentials: Credentials) {}

  sign(input: SignInput): Record<string, string> {
    const now = Date.now();
    const step = input.dateFormat === 'http' ? 1000 : 1;
    let date = new Date(input.date?.getTime() ?? now);
    for (;;) {
      const headers = signedHeaders(this.credentials, { ...input, date });
      const signature = headers['x-virtshell-authorization'] ?? headers.authorization;
      if (!this.recent.has(signature)) {
        this.recent.set(signature, now);
        if (this.recent.size > 5000) for (const [key, at] of this.recent) if (now - at > 60_000) this.recent.delete(key);
        return headers;
      }
      date = new Date(date.getTime() - step);
    }
  }
}
