import type { ErrorCode } from '../errors/catalogue';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import { AuthError, authErrorBody } from '../auth/authenticate';
import type { Caller, Context } from '../context';
import { BodyTimeout, BodyTooLarge, closeUnreadBody, requestBody } from '../http/body';
import { sendJson } from '../http/respond';
import { andThen, attempt, lastly, type MaybePromise } from '../lib/maybe-promise';
import type { DirectAnswer, GraphqlPost } from './direct-execution';

export interface GraphqlHttpOptions {
  bodyLimitBytes: number;
  /** How long the body may take to arrive once the headers were authenticated. */
  bodyTimeoutMs: number;
  /** Who is calling, from the headers alone: throws AuthError to refuse before the body is read. */
  authenticate: (req: IncomingMessage, search: string) => MaybePromise<Caller>;
  /** Checks the body against the signature (throws AuthError), then builds the request's context. */
  context: (req: IncomingMessage, caller: Caller, body: Buffer) => MaybePromise<Context>;
  /** The refusal of a document over TASKGATE_MAX_DOCUMENT_BYTES (documents.ts), checked before either path parses it. */
  documentTooLarge(text: string): GraphQLError | undefined;
  /** Answers known documents without Apollo's pipeline (direct-execution.ts); undefined hands the request to Apollo. */
  direct?: (post: GraphqlPost, context: Context) => MaybePromise<DirectAnswer | undefined>;
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
  // Each step goes on at once when the one before needed no wait (maybe-promise.ts): a signed
  // read whose body came with its headers runs through to execution without a promise. The
  // answer is chained after the accepted request, not inside each step: a promise returned
  // from inside another's continuation costs turns of its own at every level.
  return (req: IncomingMessage, res: ServerResponse, search: string): MaybePromise<void> =>
    andThen(accepted(req, res, search), (request) => {
      if (!request) return;
      return lastly(
        () => respond(req, res, search, request.raw, request.context),
        () => options.answered?.(req),
      );
    });

  /** The body and the context of a request whose caller and body were accepted; undefined once a refusal was sent. */
  function accepted(req: IncomingMessage, res: ServerResponse, search: string): MaybePromise<{ raw: Buffer; context: Context } | undefined> {
    // Authenticate from the headers before reading the body or letting Apollo see anything: a
    // refusal is a plain 401/403 with a JSON body naming the reason, an unsigned upload is not
    // received, and nothing of the document is parsed for an unknown caller.
    return attempt(
      () => options.authenticate(req, search),
      (caller) => withCaller(req, res, caller),
      (error) => {
        if (!(error instanceof AuthError)) throw error;
        closeUnreadBody(req, res);
        sendJson(res, error.status, authErrorBody(error));
        return undefined;
      },
    );
  }

  function withCaller(req: IncomingMessage, res: ServerResponse, caller: Caller): MaybePromise<{ raw: Buffer; context: Context } | undefined> {
    return attempt(
      () => requestBody(req, options.bodyLimitBytes, options.bodyTimeoutMs),
      (raw) => withBody(req, res, caller, raw),
      (error) => {
        if (error instanceof BodyTooLarge) sendJson(res, 413, graphqlHttpError(error.message, 'PAYLOAD_TOO_LARGE'));
        else if (error instanceof BodyTimeout) sendJson(res, 408, graphqlHttpError(error.message, 'REQUEST_TIMEOUT'), { connection: 'close' });
        else throw error;
        return undefined;
      },
    );
  }

  function withBody(req: IncomingMessage, res: ServerResponse, caller: Caller, raw: Buffer): MaybePromise<{ raw: Buffer; context: Context } | undefined> {
    return attempt(
      () => options.context(req, caller, raw),
      (context) => ({ raw, context }),
      (error) => {
        if (!(error instanceof AuthError)) throw error;
        sendJson(res, error.status, authErrorBody(error));
        return undefined;
      },
    );
  }

  function respond(req: IncomingMessage, res: ServerResponse, search: string, raw: Buffer, context: Context): MaybePromise<void> {
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
    const query = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { query?: unknown }).query : new URLSearchParams(search).get('query');
    const tooLarge = typeof query === 'string' ? options.documentTooLarge(query) : undefined;
    if (tooLarge) return sendJson(res, 400, { errors: [{ message: tooLarge.message, extensions: tooLarge.extensions }] });
    if (!options.direct || req.method !== 'POST') return throughApollo(req, res, search, body, context);
    return andThen(options.direct({ headers: req.headers, body }, context), (answer) => {
      if (!answer) return throughApollo(req, res, search, body, context);
      options.ran?.(answer.engine);
      const length = Buffer.byteLength(answer.body);
      res.writeHead(
        answer.status,
        answer.headers
          ? { ...answer.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': length }
          : { 'content-type': 'application/json; charset=utf-8', 'content-length': length },
      );
      res.end(answer.body);
    });
  }

  async function throughApollo(req: IncomingMessage, res: ServerResponse, search: string, body: unknown, context: Context): Promise<void> {
    options.ran?.('apollo');
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    // Apollo's CSRF prevention stops a browser on another site from making a simple request; a
    // valid signature cannot be made there, so a signed request (a GET from urql, say) passes.
    if (context.caller.proof) headers.set('apollo-require-preflight', 'signed');
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

function graphqlHttpError(message: string, code: ErrorCode) {
  return { errors: [{ message, extensions: { code } }] };
}
