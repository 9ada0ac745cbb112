import type { GraphQLSchema } from 'graphql';
import type { Authenticator } from '../auth/authenticate';
import type { AppConfig } from '../config';
import type { FairShare } from '../fairness/fair-share';
import type { Logger } from '../ops/logger';
import { type Admission, createAdmission, type OperationRequest } from './admission';
import { meterLargeFields } from './answer-budget';
import { DocumentCache } from './documents';
import { parseOptions } from './limits';
import { validationRules } from './validation-rules';
import type { MaybePromise } from '../lib/maybe-promise';

/**
 * The one GraphQL document pipeline every door goes through (POST /graphql on the direct path
 * and through Apollo, graphql-ws, the legacy routes):
 *
 *   text -> documents.prepare (size and token limits, parse, validate; one bounded cache)
 *        -> PreparedDocument.operation(name)
 *        -> admit (kind allowed on this door, variables coerced once, cost, fair share, write claim)
 *        -> run with the coerced variables (run-operation.ts; Apollo and graphql-ws run graphql-js).
 */
export interface GraphqlPipeline {
  schema: GraphQLSchema;
  documents: DocumentCache;
  admit(request: OperationRequest): MaybePromise<Admission>;
}

export function createPipeline(options: { schema: GraphQLSchema; config: AppConfig; authenticator: Authenticator; fairShare?: FairShare; logger: Logger }): GraphqlPipeline {
  const { schema, config } = options;
  // Answers are bounded in bytes as they are built (answer-budget.ts), whichever door runs them.
  meterLargeFields(schema);
  const documents = new DocumentCache({
    schema,
    validationRules: validationRules(config),
    parseOptions: parseOptions(config.limits),
    maxDocumentBytes: config.limits.maxDocumentBytes,
  });
  const admit = createAdmission({
    schema,
    maxCost: config.limits.maxCost,
    claimWrite: (caller) => options.authenticator.claimWrite(caller),
    fairShare: options.fairShare,
    logger: options.logger,
  });
  return { schema, documents, admit };
}
