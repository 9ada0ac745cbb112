import { GraphQLError } from 'graphql';
import { maskErrors } from '../../../src/graphql/mask-errors';
import { createLogger } from '../../../src/ops/logger';

/** What the client sees of an error (src/graphql/mask-errors.ts). */
describe('maskErrors', () => {
  const mask = maskErrors(createLogger('silent'));

  it('answers an Apollo 4xx refusal without a code (APQ hash mismatch) as BAD_REQUEST, not as an internal error', () => {
    const error = new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400, headers: new Map() } } });
    const formatted = mask({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
    expect(formatted).toEqual({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });

  it('still masks an error without a code and without a 4xx status', () => {
    const error = new Error('driver exploded: password=hunter2');
    const formatted = mask({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('still masks a GraphQLError with a 5xx status', () => {
    const error = new GraphQLError('boom', { extensions: { http: { status: 500 } } });
    const formatted = mask({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
    expect(formatted.message).toBe('Internal server error');
  });
});
