/**
 * Issue 23, item 2: a two-tier write whose outcome is unknown (Redis stalled by SIGSTOP for longer
 * than the store's `timeout`) may still be applied when Redis resumes. Another instance must not
 * go on serving its L1 copy of the old value: the write counts as possibly applied, and the
 * other instances are told once Redis answers again.
 *
 * Two instances in this process, each with its own L1, over one real redis-server on a free port
 * that the test pauses and resumes by PID. Nothing is timed: eventual outcomes are polled, and
 * bounded far below the entries' TTL (an hour), so a copy kept for its whole life fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CacheUnavailableError, type Cache, type CacheManager } from '../../src';
import { RedisServer } from '../support/redis-server';
import { eventually, twoTieredInstances } from '../support/tiered-coherence';

jest.setTimeout(60_000);

/** Per-operation timeout of the Redis tier: far shorter than the stall. */
const TIMEOUT = 300;

let server: RedisServer;
let managers: CacheManager[] = [];
beforeAll(async () => {
  server = await RedisServer.start();
});
afterEach(async () => {
  server.pause(false);
  await Promise.all(managers.map((m) => m.close()));
  managers = [];
});
afterAll(async () => {
  await server.stop();
});

/** Two instances of one app (same prefix), each with its own L1. */
async function twoInstances(): Promise<{ a: Cache; b: Cache; redis: Cache; prefix: string }> {
  const prefix = `stall-${randomBytes(4).toString('hex')}`;
  managers = twoTieredInstances({ url: server.url, timeout: TIMEOUT }, prefix);
  await Promise.all(managers.map((m) => m.ready()));
  const [a, b] = managers.map((m) => m.default);
  await until(async () => (await a.health()).near.status === 'up' && (await b.health()).near.status === 'up');
  return { a, b, redis: managers[0].store('l2'), prefix };
}

/** RELIABILITY_FIGURES=1 prints the figures quoted in docs/reliability.md. */
function figures(line: string): void {
  if (process.env.RELIABILITY_FIGURES === '1') process.stdout.write(`${line}\n`);
}

/** {@link eventually} with a generous cap: Redis resumes from a stall on a loaded machine. */
const until = (check: () => Promise<boolean>, what?: string) => eventually(check, what, 15_000);

/** Keeps Redis frozen while `during` runs (the writes in it outlast their timeout), then resumes it. */
async function stalled<T>(during: () => Promise<T>): Promise<T> {
  server.pause(true);
  try {
    return await during();
  } finally {
    server.pause(false);
  }
}

/**
 * b serves `value` for `key` from its own L1: b writes it (a write fills the writer's L1; the bus
 * message goes to a, so nothing drops b's copy), then the entry is removed from Redis behind
 * both caches' backs and b still serves it; then it is put back in Redis through the plain Redis
 * store (no bus message).
 */
async function cachedInL1(b: Cache, redis: Cache, prefix: string, key: string, value: number | string): Promise<void> {
  if (typeof value === 'number') await b.increment(key, value, '1h');
  else await b.set(key, value, '1h');
  expect(await b.get(key)).toEqual(value);
  await server.cli('DEL', `${prefix}:${key}`);
  expect(await b.get(key)).toEqual(value);
  if (typeof value === 'number') await redis.increment(key, value, '1h');
  else await redis.set(key, value, '1h');
  expect(await redis.get(key)).toEqual(value);
}

describe('two-tier writes that timed out while Redis was stalled (SIGSTOP)', () => {
  it('set: resolves false, is applied after SIGCONT, and the other instance stops serving the old value', async () => {
    const { a, b, redis, prefix } = await twoInstances();
    await cachedInL1(b, redis, prefix, 'k', 'v1');

    expect(await stalled(() => a.set('k', 'v2', '1h'))).toBe(false);
    const resumed = Date.now();
    await until(async () => (await server.cli('GET', `${prefix}:k`)).includes('v2'), 'Redis applied the set');
    await until(async () => (await b.get('k')) === 'v2', "b's L1 dropped its copy of k");
    figures(`two-tier set timed out in a stall: b served the new value ${Date.now() - resumed} ms after SIGCONT`);
    expect(await a.get('k')).toBe('v2');
  });

  it('delete: resolves false, is applied after SIGCONT, and the other instance stops serving the value', async () => {
    const { a, b, redis, prefix } = await twoInstances();
    await cachedInL1(b, redis, prefix, 'k', 'v1');

    expect(await stalled(() => a.delete('k'))).toBe(false);
    await until(async () => (await server.cli('EXISTS', `${prefix}:k`)).trim() === '0', 'Redis applied the delete');
    await until(async () => (await b.get('k')) === undefined, "b's L1 dropped its copy of k");
  });

  it('increment: rejects, may be applied after SIGCONT (a retry would count twice), and the other instance sees the new count', async () => {
    const { a, b, redis, prefix } = await twoInstances();
    await cachedInL1(b, redis, prefix, 'n', 5);

    await expect(stalled(() => a.increment('n'))).rejects.toBeInstanceOf(CacheUnavailableError);
    await until(async () => (await server.cli('GET', `${prefix}:n`)).trim() === '6', 'Redis applied the increment');
    await until(async () => (await b.get('n')) === 6, "b's L1 dropped its copy of n");
  });

  it("tag flush: the other instance stops serving the flushed entry (its L1 held the tag's version)", async () => {
    const { a, b, redis } = await twoInstances();
    await b.tags(['t']).set('k', 'v1', '1h');
    expect(await b.get('k')).toBe('v1'); // the entry and its tag's version are in b's L1

    await stalled(() =>
      a
        .tags(['t'])
        .flush()
        .catch(() => undefined),
    );
    await until(async () => (await redis.get('k')) === undefined, 'Redis applied the flush');
    await until(async () => (await b.get('k')) === undefined, "b's L1 dropped the tag's version");
  });
});
