import type { IncomingMessage } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Authenticator } from '../auth/authenticate';
import type { Caller, Context } from '../context';
import type { HttpRoute } from '../http/router';
import type { FairShare } from '../fairness/fair-share';
import type { Metrics } from '../ops/metrics';
import { andThen, type MaybePromise } from '../lib/maybe-promise';
import { linkRecord, recordOf } from '../ops/request-log';
import { type Links, pointBrowserAway } from '../web/index-route';
import type { DirectAnswer, GraphqlPost } from './direct-execution';
import { graphqlHttpHandler } from './http-handler';
import type { GraphqlPipeline } from './pipeline';

export interface GraphqlHttpDoorOptions {
  apollo: ApolloServer<Context>;
  pipeline: GraphqlPipeline;
  authenticator: Authenticator;
  contextFor(caller: Caller): Context;
  /** Plain JSON POSTs of known documents, answered without Apollo's per-request pipeline; absent: all through Apollo. */
  direct?: (post: GraphqlPost, context: Context) => MaybePromise<DirectAnswer | undefined>;
  fairShare: FairShare;
  metrics: Metrics;
  links: Links;
  bodyLimitBytes: number;
  bodyTimeoutMs: number;
}

/**
 * GraphQL over HTTP at /graphql: authenticated from the headers before the body is read, the
 * body checked against the signature, the request log told who called, the fair-share slot
 * settled once answered; a browser that opened the URL is sent to the playground.
 */
export function graphqlHttpDoor(options: GraphqlHttpDoorOptions): HttpRoute {
  const { authenticator, pipeline, fairShare, metrics, links } = options;
  const ran = (engine: string): void => metrics.countExecution(engine);
  const graphql = graphqlHttpHandler(options.apollo, {
    bodyLimitBytes: options.bodyLimitBytes,
    bodyTimeoutMs: options.bodyTimeoutMs,
    authenticate: (req: IncomingMessage, search: string): MaybePromise<Caller> => {
      const path = (req.url ?? '/').split('?', 1)[0];
      return authenticator.authenticate({ method: req.method ?? 'GET', path, search, headers: req.headers });
    },
    context: (req: IncomingMessage, caller: Caller, body: Buffer): MaybePromise<Context> =>
      andThen(authenticator.acceptBody(caller, body), () => {
        const context = options.contextFor(caller);
        recordOf(req).user = caller.id;
        linkRecord(context, req);
        return context;
      }),
    documentTooLarge: (text) => pipeline.documents.tooLarge(text),
    direct: options.direct,
    ran,
    answered: (req) => fairShare.settle(recordOf(req)),
  });
  return {
    name: 'graphql',
    matches: (path) => path === '/graphql' || path === '/graphql/',
    handle: (req, res, _path, search) => {
      recordOf(req).door = 'graphql-http';
      if (pointBrowserAway(req, res, search, links)) return;
      return graphql(req, res, search);
    },
  };
}
