import type { Duplex } from 'node:stream';

/**
 * node:http's 'clientError' (a request node could not parse, headers too large, headers too slow):
 * answered like node's default (same status, only when nothing was written on the connection yet,
 * then the connection is closed), but with a JSON body `{"error": "..."}` as every other refusal.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }): void {
  if (error.code !== 'ECONNRESET' && socket.writable && !socket.bytesWritten) {
    const [status, reason, message] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'the request line and headers are too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'the request is not valid HTTP/1.1'];
    const body = JSON.stringify({ error: message });
    // Ended, then destroyed once written: destroying at once can drop the answer on a busy machine.
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
    return;
  }
  socket.destroy();
}
