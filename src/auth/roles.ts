import { GraphQLError } from 'graphql';
import type { Caller } from '../context';

/** Only `write` keys may create and update tasks. */
export function requireWriter(caller: Caller): void {
  if (caller.role !== 'write') {
    throw new GraphQLError('this key may read but not write', { extensions: { code: 'FORBIDDEN' } });
  }
}
