import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A request body larger than the configured limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** A request body that did not arrive within the deadline (TASKGATE_BODY_TIMEOUT_MS). */
export class BodyTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the request body did not arrive within ${timeoutMs} ms; send it at once after the headers`);
  }
}

/** Does the request announce a body (a non-zero Content-Length, or chunked)? Known from the headers alone. */
export function announcesBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Before answering a request whose body was not read (a refusal from the headers alone): the
 * connection closes after the answer, so the rest of the upload is never received.
 */
export function closeUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && announcesBody(req.headers) && !res.headersSent) res.setHeader('connection', 'close');
}

/**
 * The body, when node has received and parsed all of it already (a small request comes in one
 * segment with its headers, so it usually has by the time the headers are authenticated): taken
 * from the stream's buffer at once, without the listeners, timer and ticks of readBody. Undefined
 * when it is still arriving, is over `limit`, or is being read already: use readBody then.
 */
export function receivedBody(req: IncomingMessage, limit: number): Buffer | undefined {
  if (!req.complete || req.readableFlowing !== null || req.readableLength > limit) return undefined;
  const body = req.read() as Buffer | null;
  return body ?? Buffer.alloc(0);
}

/**
 * Reads the whole body, refusing (without buffering further) once it passes `limit` bytes, or
 * when it has not all arrived `timeoutMs` after reading began (a slow upload holds a connection
 * and its buffers; the caller answers 408 and the connection closes).
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = 0): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = timeoutMs > 0 ? setTimeout(() => stop(new BodyTimeout(timeoutMs)), timeoutMs) : undefined;
    const stop = (error: Error) => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.resume();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(new BodyTooLarge(limit));
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
