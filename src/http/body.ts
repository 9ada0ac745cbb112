import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { MaybePromise } from '../lib/maybe-promise';

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
 * The body, when node has received all of it already (a small request comes in one segment with
 * its headers): taken from the stream's buffer at once, without the listeners, timer and ticks of
 * readBody. Undefined when it is still arriving, is over `limit`, or is being read already: use
 * readBody then.
 */
export function receivedBody(req: IncomingMessage, limit: number): Buffer | undefined {
  if (req.readableFlowing !== null || req.readableLength > limit || !allReceived(req)) return undefined;
  const body = req.read() as Buffer | null;
  return body ?? Buffer.alloc(0);
}

/**
 * Every byte of the body is in the stream's buffer. node marks a request `complete` only a turn
 * of the event loop after it has handed over the bytes of a body that came with the headers, so a
 * body as long as its Content-Length says is whole before that (node refuses a request that
 * sends Transfer-Encoding with a Content-Length).
 */
function allReceived(req: IncomingMessage): boolean {
  if (req.complete) return true;
  const declared = req.headers['content-length'];
  return declared !== undefined && req.headers['transfer-encoding'] === undefined && req.readableLength === Number(declared);
}

/**
 * The body of a request whose headers were just dealt with in its 'request' event: node's parser
 * hands over the bytes that came with the headers once that event returns, so they are looked for
 * a microtask later (receivedBody); what is still arriving is read as it comes (readBody).
 */
export function requestBody(req: IncomingMessage, limit: number, timeoutMs: number): MaybePromise<Buffer> {
  return receivedBody(req, limit) ?? Promise.resolve().then(() => receivedBody(req, limit) ?? readBody(req, limit, timeoutMs));
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
