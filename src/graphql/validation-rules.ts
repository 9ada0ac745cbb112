import type { ValidationRule } from 'graphql';
import type { AppConfig } from '../config';
import { noIntrospection } from './introspection';
import { aliasLimit, depthLimit } from './limits';

/**
 * The one set of extra validation rules (depth, aliases, introspection when it is off) applied
 * to every GraphQL document, whichever door it came through: HTTP, WebSocket or a legacy REST
 * route. The token and document-size limits apply before parsing (documents.ts), the cost limit
 * once the variables are known (admission.ts).
 */
export function validationRules(config: AppConfig): ValidationRule[] {
  return [depthLimit(config.limits.maxDepth), aliasLimit(config.limits.maxAliases), ...(config.introspection ? [] : [noIntrospection])];
}
