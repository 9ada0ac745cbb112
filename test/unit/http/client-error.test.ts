import { PassThrough } from 'node:stream';
import { answerClientError } from '../../../src/http/client-error';

/** node:http 'clientError' answers (src/http/client-error.ts), on a stand-in socket. */
describe('answerClientError', () => {
  function socket(bytesWritten = 0) {
    const stream = new PassThrough() as PassThrough & { bytesWritten: number; written: string };
    stream.bytesWritten = bytesWritten;
    stream.written = '';
    stream.write = ((chunk: string) => { stream.written += chunk; return true; }) as typeof stream.write;
    return stream;
  }
  const failure = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['HPE_HEADER_OVERFLOW', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_INVALID_METHOD', 400],
  ])('%s: status %i with a JSON error body, then the connection closes', (code, status) => {
    const s = socket();
    answerClientError(failure(code), s);
    const [head, body] = s.written.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toContain('Content-Type: application/json');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: expect.any(String) });
    expect(s.destroyed).toBe(true);
  });

  it('writes nothing on a connection that already carried a response, or one the client reset', () => {
    const used = socket(120);
    answerClientError(failure('HPE_INVALID_METHOD'), used);
    const reset = socket();
    answerClientError(failure('ECONNRESET'), reset);
    expect(used.written + reset.written).toBe('');
    expect(used.destroyed && reset.destroyed).toBe(true);
  });
});
