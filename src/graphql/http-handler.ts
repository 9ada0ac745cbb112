import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import { AuthError, authErrorBody } from '../auth/authenticate';
import type { Context } from '../context';
import { BodyTooLarge, readBody } from '../http/body';
import { sendJson } from '../http/respond';
import type { DirectAnswer, GraphqlPost } from './direct-execution';

export interface GraphqlHttpOptions {
  bodyLimitBytes: number;
  /** Builds the context of one request (authenticates the caller); throws to refuse it. */
  context: (req: IncomingMessage, body: Buffer) => Promise<Context>;
  /** Answers known documents without Apollo's pipeline (direct-execution.ts); undefined hands the request to Apollo. */
  direct?: (post: GraphqlPost, context: Context) => Promise<DirectAnswer | undefined>;
  /** Told which way each authenticated request ran (a metric). */
  ran?: (engine: DirectAnswer['engine'] | 'apollo') => void;
  /** Told when a request has been answered (fair share hands back a costly operation's slot). */
  answered?: (req: IncomingMessage) => void;
}

/**
 * GraphQL over HTTP at /graphql: a small node:http adapter over Apollo's
 * executeHTTPGraphQLRequest (Apollo 5 ships no HTTP server of its own). Plain JSON POSTs are
 * offered to the direct path first (direct-execution.ts); what it declines goes to Apollo.
 */
export function graphqlHttpHandler(apollo: ApolloServer<Context>, options: GraphqlHttpOptions) {
  return async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, options.bodyLimitBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(res, 413, graphqlHttpError(error.message, 'PAYLOAD_TOO_LARGE'));
      throw error;
    }
    // Authenticate before Apollo sees the request: a refusal is a plain 401/403 with a JSON
    // body naming the reason, and nothing of the document is parsed for an unknown caller.
    let context: Context;
    try {
      context = await options.context(req, raw);
    } catch (error) {
      if (error instanceof AuthError) return sendJson(res, error.status, authErrorBody(error));
      throw error;
    }
    try {
      await respond(req, res, search, raw, context);
    } finally {
      options.answered?.(req);
    }
  };

  async function respond(req: IncomingMessage, res: ServerResponse, search: string, raw: Buffer, context: Context): Promise<void> {
    let body: unknown = undefined;
    if (raw.length > 0) {
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('application/json') || type.includes('+json')) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendJson(res, 400, graphqlHttpError('the request body is not valid JSON', 'BAD_REQUEST'));
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    if (options.direct && req.method === 'POST') {
      const answer = await options.direct({ headers: req.headers, body }, context);
      if (answer) {
        options.ran?.(answer.engine);
        res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
        return;
      }
    }
    options.ran?.('apollo');
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => context,
    });
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.body.kind === 'complete') {
      // With a length, node writes head and body in one syscall; without, chunked encoding
      // costs several writes per response (a quarter of the gateway's CPU on the read path).
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

function graphqlHttpError(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}
