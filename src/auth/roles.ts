import type { AuthCheckerFn } from 'type-graphql';
import type { Context } from '../context';
import { ClientError } from '../errors/client-error';

/** A key's role: `read` keys may read; `write` keys may also create, update and delete tasks. */
export type Role = 'read' | 'write';

/** The role every mutation declares with `@Authorized(writeRole)`. */
export const writeRole: Role = 'write';

/** What a read key hears when it tries to write (FORBIDDEN; the legacy routes answer 403 with it). */
export const forbidden = () => new ClientError('FORBIDDEN', 'this key may read but not write');

/**
 * The one authorization check, type-graphql's `authChecker` (schema.ts): a field declared
 * `@Authorized(...roles)` runs only for a caller holding one of them. It throws FORBIDDEN itself
 * rather than answering false, so the refusal reads as ours (type-graphql's would not).
 */
export const authChecker: AuthCheckerFn<Context, Role> = ({ context }, roles) => {
  if (roles.length === 0 || roles.includes(context.caller.role)) return true;
  throw forbidden();
};
