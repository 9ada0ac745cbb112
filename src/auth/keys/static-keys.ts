import type { ActiveKey } from './key-store';

/**
 * The one reading of `TASKGATE_KEYS=user:secret:role,...` (role defaults to write): config.ts
 * validates with it at start, the key ring loads what it returns. Throws naming the bad entry,
 * never echoing a secret.
 */
export function parseStaticKeys(spec: string): ActiveKey[] {
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const [user, secret, role = 'write', ...rest] = entry.split(':');
      if (!user || !secret || rest.length || (role !== 'read' && role !== 'write')) {
        throw new Error(`entry ${index + 1} is not user:secret:role (role read or write)`);
      }
      return { id: `static:${index + 1}`, user, role, secret };
    });
}
