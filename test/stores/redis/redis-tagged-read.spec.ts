/**
 * Tagged reads on Redis (one node): a read through a tagged view (`tags([...]).get`, `remember`
 * hits) is one MGET of the entry and the view's tag versions, counted on a dedicated server
 * with INFO commandstats; what a third party does to a version key reads as a flush.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createCacheManager, defaultSerializer, RedisStore, UnreadableEntry, type CacheManager } from '../../../src';
import { tagVersionKey } from '../../../src/core/tags/tag-versions';
import { RedisServer } from '../../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
let raw: Redis;
const managers: CacheManager[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  raw = new Redis(server.port, '127.0.0.1');
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await raw.flushall();
});
afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

async function manager(prefix = 'tr'): Promise<CacheManager> {
  const m = createCacheManager({ prefix, logger: quiet, stores: { r: { driver: 'redis', url: server.url } } });
  managers.push(m);
  await m.ready();
  return m;
}

/** Calls per command since the last reset, the INFO and CONFIG of this bookkeeping left out. */
async function commandCounts(): Promise<Record<string, number>> {
  const info = await raw.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== 'info' && !m[1].startsWith('config')) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The commands `fn` makes the server run (nothing else talks to this server meanwhile). */
async function commandsOf(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  await raw.config('RESETSTAT');
  await fn();
  return commandCounts();
}

describe('redis tagged reads', () => {
  it('get and remember hits through a tagged view are one MGET; a miss is one MGET too', async () => {
    const m = await manager();
    const view = m.tags(['users', 'active']);
    await view.set('user:1', { id: 1 });
    let value: unknown;
    expect(await commandsOf(async () => (value = await view.get('user:1')))).toEqual({ mget: 1 });
    expect(value).toEqual({ id: 1 });
    expect(await commandsOf(async () => (value = await view.remember('user:1', 60, () => 'loaded')))).toEqual({
      mget: 1,
    });
    expect(value).toEqual({ id: 1 });
    expect(await commandsOf(async () => (value = await view.get('nothing')))).toEqual({ mget: 1 });
    expect(value).toBeUndefined();
    // A plain entry read through a view: the same single command.
    await m.set('plain', 'p');
    expect(await commandsOf(async () => (value = await view.get('plain')))).toEqual({ mget: 1 });
    expect(value).toBe('p');
    expect(m.store('r').stats()).toMatchObject({ hits: 3, misses: 1, errors: 0 });
  });

  it('an entry carrying a tag the view does not name: that version is read after (correct, two commands)', async () => {
    const m = await manager();
    await m.tags(['a', 'b']).set('k', 'v');
    let value: unknown;
    expect(await commandsOf(async () => (value = await m.tags('a').get('k')))).toEqual({ mget: 2 });
    expect(value).toBe('v');
    await raw.del(tagVersionKey('tr', 'b'));
    expect(await m.tags('a').get('k')).toBeUndefined();
  });

  it('a version deleted by a third party reads as a flush: miss, and remember loads', async () => {
    const m = await manager();
    const view = m.tags(['users', 'active']);
    await view.set('user:1', 'cached');
    expect(await raw.del(tagVersionKey('tr', 'active'))).toBe(1);
    expect(await view.get('user:1')).toBeUndefined();
    expect(await view.remember('user:1', 60, () => 'loaded')).toBe('loaded');
    expect(await view.get('user:1')).toBe('loaded');
  });

  it.each([
    ['a number', defaultSerializer.serialize(5, 'v')],
    ['unreadable text', 'J{not json'],
    ['another version', defaultSerializer.serialize('someone-else', 'v')],
  ])('a version overwritten by a third party with %s reads as a miss, not an error', async (_what, text) => {
    const m = await manager();
    const view = m.tags(['users']);
    await view.set('user:1', 'cached');
    await raw.set(tagVersionKey('tr', 'users'), text);
    expect(await view.get('user:1')).toBeUndefined();
    expect(await view.get('user:1', 'fallback')).toBe('fallback');
    expect(m.store('r').stats().errors).toBe(0);
    // A writer replaces the corrupt version; its entry is readable again and flushable.
    await view.set('user:1', 'again');
    expect(await view.get('user:1')).toBe('again');
    await view.flush();
    expect(await view.get('user:1')).toBeUndefined();
  });

  it('an unreadable entry read through a view is one miss and one counted error', async () => {
    const m = await manager();
    const view = m.tags(['users']);
    await view.set('user:1', 'cached');
    await raw.set('tr:user:1', 'J{not json');
    expect(await view.get('user:1')).toBeUndefined();
    expect(m.store('r').stats()).toMatchObject({ errors: 1, misses: 1 });
  });

  it('a flush by another cache instance (its own connection) is seen by the next tagged read', async () => {
    const [a, b] = [await manager(), await manager()];
    const view = a.tags(['users', 'active']);
    await view.set('user:1', 'cached');
    expect(await b.tags(['users']).get('user:1')).toBe('cached');
    await b.tags(['active']).flush();
    expect(await view.get('user:1')).toBeUndefined();
    expect(await view.remember('user:1', 60, () => 'loaded')).toBe('loaded');
    expect(await b.tags(['users', 'active']).get('user:1')).toBe('loaded');
  });

  it('works through the value pipeline: hashed keys, compression and encryption', async () => {
    const m = createCacheManager({
      prefix: 'pipe',
      logger: quiet,
      stores: {
        r: {
          driver: 'redis',
          url: server.url,
          hashKeys: true,
          compress: { threshold: 0 },
          encrypt: { keys: [{ id: 'a', secret: 'a-secret-of-at-least-thirty-two-chars!' }] },
        },
      },
    });
    managers.push(m);
    await m.ready();
    const view = m.tags(['users', 'active']);
    await view.set('user:1', { id: 1, name: 'x'.repeat(200) });
    let value: unknown;
    expect(await commandsOf(async () => (value = await view.get('user:1')))).toEqual({ mget: 1 });
    expect(value).toEqual({ id: 1, name: 'x'.repeat(200) });
    expect(await view.remember('user:1', 60, () => 'loaded')).toEqual({ id: 1, name: 'x'.repeat(200) });
    await m.tags('active').flush();
    expect(await view.get('user:1')).toBeUndefined();
    expect(await view.remember('user:1', 60, () => 'loaded')).toBe('loaded');
    expect(await view.get('user:1')).toBe('loaded');
    expect(m.store('r').stats().errors).toBe(0);
  });

  it('the store hook answers the value and the versions in the order asked', async () => {
    const store = new RedisStore({ url: server.url }, { namespace: 'hook' });
    try {
      await store.set('hook:k', { x: 1 });
      await store.set('hook:v1', 'one');
      await raw.set('hook:bad', 'J{not json');
      const found = await store.getWithTags('hook:k', ['hook:v1', 'hook:missing', 'hook:bad']);
      expect(found.slice(0, 3)).toEqual([{ x: 1 }, 'one', undefined]);
      expect(found[3]).toBeInstanceOf(UnreadableEntry);
      expect(await store.getWithTags('hook:none', [])).toEqual([undefined]);
      await raw.set('hook:k', 'J{not json');
      await expect(store.getWithTags('hook:k', ['hook:v1'])).rejects.toThrow(/hook:k/);
    } finally {
      await store.close();
    }
  });
});
