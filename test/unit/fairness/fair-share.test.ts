import { loadConfig } from '../../../src/config';
import { type OperationDefinitionNode, parse } from 'graphql';
import { connectionsOf, FairShare, RateLimited } from '../../../src/fairness/fair-share';
import { createLogger } from '../../../src/ops/logger';
import { eventually } from '../../helpers/ws-client';

const logger = createLogger('silent');

function fairShare(env: Record<string, string>, poolSize = 10): FairShare {
  // Time share off unless a test sets it: a pause of the test process must not refuse anything.
  const config = loadConfig({ TASKGATE_KEYS: 'a:secret-a-0123456789:read', TASKGATE_FAIR_HEAVY_SHARE: '100', TASKGATE_FAIR_HEAVY_COST: '1000', ...env });
  return FairShare.create(config.fairShare, { redisUrl: null, poolSize, logger });
}

async function refusal(attempt: Promise<unknown>): Promise<RateLimited> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof RateLimited) return error;
    throw error;
  }
  throw new Error('expected a RATE_LIMITED refusal');
}

describe('fair share between keys', () => {
  it('lets a key hold as many streams of a kind as its ceiling, refuses one more with a retry hint, and takes it once one closes', async () => {
    const fair = fairShare({ TASKGATE_FAIR_SSE_STREAMS: '2' });
    const first = await fair.open('sse', 'alice');
    await fair.open('sse', 'alice');
    const refused = await refusal(fair.open('sse', 'alice'));
    expect(refused.limit).toEqual({ kind: 'sse', max: 2 });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.message).toMatch(/close one/);
    // Another key is not affected by alice's streams.
    await fair.open('sse', 'bob');
    first();
    first(); // releasing twice frees one slot only
    await fair.open('sse', 'alice');
    await refusal(fair.open('sse', 'alice'));
    await fair.stop();
  });

  it('passes cheap operations without counting them, however many', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_COST: '1000', TASKGATE_FAIR_HEAVY_CONCURRENT: '1', TASKGATE_FAIR_COST_PER_SECOND: '1000' });
    for (let i = 0; i < 1000; i++) expect(await fair.admitCost('alice', 999)).toBeUndefined();
    await fair.stop();
  });

  it('says which costs go through the counters: from TASKGATE_FAIR_HEAVY_COST up, and none when fair share is off', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_COST: '1000' });
    expect(fair.countsCost(999)).toBe(false);
    expect(fair.countsCost(1000)).toBe(true);
    await fair.stop();
    const off = fairShare({ TASKGATE_FAIR_HEAVY_COST: '1000', TASKGATE_FAIR_SHARE: 'off' });
    expect(off.countsCost(5000)).toBe(false);
    await off.stop();
  });

  it('runs at most TASKGATE_FAIR_HEAVY_CONCURRENT costly operations per key at once', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_CONCURRENT: '2', TASKGATE_FAIR_COST_PER_SECOND: '1000000' });
    const one = await fair.admitCost('alice', 1500);
    await fair.admitCost('alice', 1500);
    const refused = await refusal(fair.admitCost('alice', 1500));
    expect(refused.limit).toEqual({ kind: 'heavy', max: 2 });
    one!();
    expect(await fair.admitCost('alice', 1500)).toBeDefined();
    await fair.stop();
  });

  it('keeps database connections for cheap reads: costly operations of all keys together stay below the pool size', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_CONCURRENT: '2', TASKGATE_FAIR_COST_PER_SECOND: '1000000', TASKGATE_FAIR_RESERVED_CONNECTIONS: '2' }, 10);
    const held = [];
    for (const key of ['k1', 'k2', 'k3', 'k4']) for (let i = 0; i < 2; i++) held.push(await fair.admitCost(key, 5000));
    // Eight costly operations run; a fifth key's costly one waits its turn, its cheap ones do not.
    const refused = await refusal(fair.admitCost('k5', 5000));
    expect(refused.limit).toEqual({ kind: 'heavy', max: 8 });
    expect(await fair.admitCost('k5', 10)).toBeUndefined();
    held[0]!();
    expect(await fair.admitCost('k5', 5000)).toBeDefined();
    await fair.stop();
  });

  it('counts the database statements a costly operation may run at once: fifteen aliased lists run alone', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_CONCURRENT: '2', TASKGATE_FAIR_COST_PER_SECOND: '1000000', TASKGATE_FAIR_RESERVED_CONNECTIONS: '2' }, 10);
    const aliased = parse(`{ ${Array.from({ length: 15 }, (_, i) => `a${i}: tasks(first: 10) { totalCount }`).join(' ')} }`).definitions[0] as OperationDefinitionNode;
    expect(connectionsOf(aliased)).toBe(30);
    expect(connectionsOf(parse('{ tasks { totalCount } lastEventId }').definitions[0] as OperationDefinitionNode)).toBe(3);
    const alone = await fair.admitCost('k1', 5000, connectionsOf(aliased));
    expect((await refusal(fair.admitCost('k2', 5000, 2))).limit).toEqual({ kind: 'heavy', max: 8 });
    alone!();
    const four = [];
    for (const key of ['k1', 'k2', 'k3', 'k4']) four.push(await fair.admitCost(key, 5000, 2));
    await refusal(fair.admitCost('k5', 5000, 1));
    await fair.stop();
  });

  it('makes costly work wait after a long costly operation, so that it takes at most TASKGATE_FAIR_HEAVY_SHARE of the time, whichever key sends it', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_CONCURRENT: '10', TASKGATE_FAIR_COST_PER_SECOND: '1000000', TASKGATE_FAIR_HEAVY_SHARE: '25' }, 1);
    const release = await fair.admitCost('alice', 2000);
    // A costly operation holding the (synchronous) process for 60 ms: the next ones wait about 180 ms.
    const until = performance.now() + 60;
    while (performance.now() < until);
    release!();
    const refused = await refusal(fair.admitCost('bob', 2000));
    expect(refused.limit.kind).toBe('heavy');
    expect(refused.message).toMatch(/busy/);
    expect(refused.retryAfterSeconds).toBe(1);
    // Cheap work is never held back.
    expect(await fair.admitCost('bob', 10)).toBeUndefined();
    let admitted: (() => void) | undefined;
    await eventually(async () => {
      admitted = await fair.admitCost('bob', 2000).catch(() => undefined);
      return admitted !== undefined;
    }, 'costly work to be admitted again');
    await fair.stop();
  });

  it('refuses costly work beyond the key budget of cost points per second, with the seconds until it refills', async () => {
    const fair = fairShare({ TASKGATE_FAIR_HEAVY_CONCURRENT: '100', TASKGATE_FAIR_COST_PER_SECOND: '3000' });
    let refused: RateLimited | undefined;
    // Three of 1500 cannot fit in one second's 3000 points, whichever second they fall in.
    for (let burst = 0; burst < 5 && !refused; burst++) {
      const results = await Promise.allSettled([fair.admitCost('alice', 1500), fair.admitCost('alice', 1500), fair.admitCost('alice', 1500)]);
      refused = results.map((r) => (r.status === 'rejected' ? r.reason : undefined)).find((e) => e instanceof RateLimited);
    }
    expect(refused?.limit).toEqual({ kind: 'cost', max: 3000 });
    expect(refused?.retryAfterSeconds).toBe(1);
    // Another key has its own budget.
    expect(await fair.admitCost('bob', 1500)).toBeDefined();
    await fair.stop();
  });
});
