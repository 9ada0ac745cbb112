import type { ValidationRule } from 'graphql';
import type { AppConfig } from '../config';

/**
 * The one set of extra validation rules (depth, cost, aliases, ...) applied to every GraphQL
 * document, whichever door it came through: HTTP, WebSocket or a legacy REST route.
 */
export function validationRules(_config: AppConfig): ValidationRule[] {
  return [];
}
