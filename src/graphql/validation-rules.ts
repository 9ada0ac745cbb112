import type { ValidationRule } from 'graphql';
import type { AppConfig } from '../config';
import { aliasLimit, depthLimit } from './limits';

/**
 * The one set of extra validation rules (depth, aliases) applied to every GraphQL document,
 * whichever door it came through: HTTP, WebSocket or a legacy REST route. The token limit
 * (`parseOptions`) and the cost limit (`checkCost`, which needs variables) live in limits.ts
 * and are applied by the same doors; see there.
 */
export function validationRules(config: AppConfig): ValidationRule[] {
  return [depthLimit(config.limits.maxDepth), aliasLimit(config.limits.maxAliases)];
}
