import { createHash, createHmac } from 'node:crypto';

/**
 * A client-side signer written from the spec (LEGACY-CALLERS.md and issue 5), deliberately
 * independent of src/auth: if the server's reading of the scheme drifts, these tests notice.
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = VERB \n Host \n Content-MD5 \n Content-Type \n Date \n path-without-query
 */
export interface SignInput {
  method: string;
  host: string;
  /** Full path; the query string is cut off before signing. */
  path: string;
  body?: string | Buffer;
  contentType?: string;
  /** Send Content-MD5 (default: whenever there is a body). */
  md5?: boolean;
  /** Defaults to now. */
  date?: Date;
  /** Put the date in X-VirtShell-Date instead of Date (what browsers must do). */
  virtshellDate?: boolean;
  /** Use `Authorization` instead of `X-VirtShell-Authorization`. */
  plainAuthorization?: boolean;
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

/** The headers a signing client sends: authorization, date, and Content-MD5/Type when given. */
export function signedHeaders(credentials: Credentials, input: SignInput): Record<string, string> {
  const hasBody = input.body !== undefined && input.body.length > 0;
  const md5 = (input.md5 ?? hasBody) && input.body !== undefined ? md5Base64(input.body) : '';
  const date = httpDate(input.date ?? new Date());
  const path = input.path.split('?')[0];
  const lines = `${input.method.toUpperCase()}\n${input.host}\n${md5}\n${input.contentType ?? ''}\n${date}\n${path}`;
  const headers: Record<string, string> = {};
  headers[input.plainAuthorization ? 'authorization' : 'x-virtshell-authorization'] = `${credentials.user}:${hmacSha1Base64(credentials.secret, lines)}`;
  headers[input.virtshellDate ? 'x-virtshell-date' : 'date'] = date;
  if (md5) headers['content-md5'] = md5;
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  return headers;
}

/** WebSocket connectionParams: GET, the host, empty MD5 and type, the date, and /graphql. */
export function signedConnectionParams(credentials: Credentials, host: string, date = new Date()): { authorization: string; date: string } {
  const text = `GET\n${host}\n\n\n${httpDate(date)}\n/graphql`;
  return { authorization: `${credentials.user}:${hmacSha1Base64(credentials.secret, text)}`, date: httpDate(date) };
}

/**
 * Signs requests for a test client. Two identical signed writes in the same second would be a
 * replay (the server refuses it, correctly); a well-behaved client that really means to repeat
 * itself moves its Date back by a second, which is what this does.
 */
export class TestSigner {
  private readonly recent = new Map<string, number>();

  constructor(readonly credentials: Credentials) {}

  sign(input: SignInput): Record<string, string> {
    const now = Date.now();
    let date = new Date(input.date?.getTime() ?? now);
    for (;;) {
      const headers = signedHeaders(this.credentials, { ...input, date });
      const signature = headers['x-virtshell-authorization'] ?? headers.authorization;
      if (!this.recent.has(signature)) {
        this.recent.set(signature, now);
        if (this.recent.size > 5000) for (const [key, at] of this.recent) if (now - at > 60_000) this.recent.delete(key);
        return headers;
      }
      date = new Date(date.getTime() - 1000);
    }
  }
}
