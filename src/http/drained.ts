import type { ServerResponse } from 'node:http';

/**
 * Resolves once a response that refused a write (`res.write` answered false) can take more:
 * it drained, or it closed or finished, so a writer waiting on a gone client never hangs.
 */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      res.off('finish', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    res.on('finish', done);
  });
}
