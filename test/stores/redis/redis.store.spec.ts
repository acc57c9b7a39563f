import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createServer, type Socket } from 'node:net';
import {
  CacheConfigError,
  CacheUnavailableError,
  createCacheManager,
  defaultSerializer,
  RedisStore,
  type CacheManagerOptions,
} from '../../../src';
import { escapeGlob } from '../../../src/stores/redis/redis.commands';
import { runRedisWorker } from '../../fixtures/redis-spawn';
import { freePort, RedisServer } from '../../support/redis-server';
import { quiet, withManager } from '../../support/with-manager';

let server: RedisServer;
let raw: Redis;

beforeAll(async () => {
  server = await RedisServer.start();
  raw = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  raw.disconnect();
  await server.stop();
});

describe('redis store', () => {
  // First: a connection refused by AUTH leaves an ioredis socket timer of 2 s behind after close.
  it('passes ACL user, password and db through to ioredis', async () => {
    await raw.call('ACL', 'SETUSER', 'cacheuser', 'on', '>pw-1', '~*', '&*', '+@all');
    try {
      await withManager(
        {
          prefix: 'acl',
          stores: {
            r: {
              driver: 'redis',
              options: { port: server.port, host: '127.0.0.1', username: 'cacheuser', password: 'pw-1', db: 3 },
            },
            bad: { driver: 'redis', url: `redis://cacheuser:wrong@127.0.0.1:${server.port}`, lazyConnect: true },
          },
        },
        async (m) => {
          await m.store('r').set('k', 1);
          const db3 = new Redis({ port: server.port, host: '127.0.0.1', db: 3 });
          expect(await db3.get('acl:k')).toBe('1');
          db3.disconnect();
          expect(await raw.exists('acl:k')).toBe(0);
          expect(await m.store('bad').get('k')).toBeUndefined();
          expect((await m.health()).bad.status).toBe('down');
          await m.store('r').clear();
        },
      );
    } finally {
      await raw.call('ACL', 'DELUSER', 'cacheuser');
    }
  });

  it('operations arriving before the first connection share one wait (one set of listeners on the client)', async () => {
    // A server that accepts the connection and never answers: ioredis' ready check (INFO) hangs,
    // so the connection stays not ready while 50 operations wait for it.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: 500,
      disconnectTimeout: 0, // no 2 s destroy timer left behind by disconnect() (see close() below)
    });
    client.on('error', () => undefined);
    try {
      await withManager({ prefix: 'burst', stores: { r: { driver: 'redis', client, timeout: 500 } } }, async (m) => {
        const cache = m.store('r');
        const before = client.listenerCount('end');
        const reads = Promise.all(Array.from({ length: 50 }, (_, i) => cache.get(`k${i}`)));
        await new Promise((resolve) => setImmediate(resolve)); // every read is waiting now
        expect(client.status).not.toBe('ready');
        expect(client.listenerCount('end') - before).toBe(1);
        expect(client.listenerCount('ready')).toBeLessThanOrEqual(2); // the store's own, and the wait
        expect(await reads).toEqual(Array.from({ length: 50 }, () => undefined)); // failed open
        expect(client.listenerCount('end')).toBe(before);
      });
    } finally {
      client.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('four processes doing 1,000 increments each on one key end at exactly 4,000', async () => {
    const cmd = { op: 'increment', url: server.url, namespace: 'incr4', key: 'hits', count: 1000, parties: 4 };
    const results = await Promise.all(Array.from({ length: 4 }, () => runRedisWorker(cmd)));
    expect(await raw.get('incr4:hits')).toBe('4000');
    expect(Math.max(...results.map((r) => r.last as number))).toBe(4000);
    await raw.del('incr4:hits', 'incr4:hits:barrier');
  }, 60_000);

  it('the package imports and works without ioredis installed; a Redis store then fails clearly', async () => {
    const result = await runRedisWorker({}, 'redis-no-ioredis.ts');
    expect(result.memory).toBe('v');
    expect(result.error).toMatch(/^CacheConfigError: .*"redis".*needs the "ioredis" package/);
  }, 30_000);

  it('stores values in the documented format v1 and counters as decimal text', async () => {
    await withManager({ prefix: 'fmt', stores: { r: { driver: 'redis', url: server.url } } }, async (m) => {
      const cache = m.store('r');
      await cache.set('obj', { at: new Date(0), n: 1n });
      expect(await raw.get('fmt:obj')).toBe('J{"at":{"\\u0000t":"date","v":0},"n":{"\\u0000t":"big","v":"1"}}');
      await cache.set('num', 42);
      expect(await raw.get('fmt:num')).toBe('42');
      expect(await cache.increment('num', 0.5)).toBe(42.5);
      expect(await cache.increment('num', 1)).toBe(43.5);
      expect(defaultSerializer.deserialize((await raw.get('fmt:num'))!)).toBe(43.5);
      await cache.set('ttl', 'v', 1.2345);
      const pttl = await raw.pttl('fmt:ttl');
      expect(pttl).toBeGreaterThan(1000);
      expect(pttl).toBeLessThanOrEqual(1235);
      await cache.clear();
    });
  });

  it('clear() removes only its own prefix, even when it contains glob characters', async () => {
    const neighbours = ['app10:k', 'app1', 'app1x:k', 'other:k', 'ab:k', 'a\\*:k', 'x1:k', 'x[1]x:k', 'xy:k'];
    await raw.mset(...neighbours.flatMap((k) => [k, 'theirs']));
    for (const prefix of ['app1', 'a*', 'x[1]', 'x?']) {
      await withManager({ prefix, stores: { r: { driver: 'redis', url: server.url } } }, async (m) => {
        await m.store('r').setMany({ one: 1, two: 2 });
        await m.store('r').clear();
        expect(await raw.exists(`${prefix}:one`, `${prefix}:two`)).toBe(0);
      });
    }
    expect(await raw.mget(...neighbours)).toEqual(neighbours.map(() => 'theirs'));
    await raw.del(...neighbours);
    expect(escapeGlob('a*b?[c]\\-^')).toBe('a\\*b\\?\\[c\\]\\\\\\-\\^');
  });

  it('clear() walks many SCAN batches', async () => {
    await withManager(
      { prefix: 'many', stores: { r: { driver: 'redis', url: server.url, scanCount: 50 } } },
      async (m) => {
        const cache = m.store('r');
        await cache.setMany(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i])));
        await cache.clear();
        expect(await raw.keys('many:*')).toEqual([]);
      },
    );
  });

  it('refuses an empty namespace, several connection sources and ioredis keyPrefix', () => {
    expect(() => new RedisStore({ url: server.url }, { namespace: '' })).toThrow(CacheConfigError);
    expect(() => createCacheManager({ prefix: '', stores: { r: { driver: 'redis', url: server.url } } })).toThrow(
      /non-empty prefix/,
    );
    expect(() => new RedisStore({ url: server.url, cluster: { nodes: [] } }, { namespace: 'x' })).toThrow(
      /exactly one of url, options, cluster, sentinel or client/,
    );
    expect(() => new RedisStore({}, { namespace: 'x' })).toThrow(CacheConfigError);
    expect(() => new RedisStore({ options: { keyPrefix: 'p:' } }, { namespace: 'x' })).toThrow(/keyPrefix/);
    expect(() => new RedisStore({ url: server.url, timeout: 0 }, { namespace: 'x' })).toThrow(/timeout/);
  });

  it('ready() never fails for an unreachable Redis; with requireOnStartup it fails clearly, without the password', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const lenient = createCacheManager({
      logger: { ...quiet, warn: (m: string) => void warnings.push(m) },
      stores: { r: { driver: 'redis', url: `redis://app:s3cret@127.0.0.1:${port}` } },
    });
    await lenient.ready();
    expect(warnings).toEqual([
      expect.stringContaining(`Cache store "r" cannot connect to Redis at redis://app:***@127.0.0.1:${port}`),
    ]);
    await lenient.close();
    const manager = createCacheManager({
      logger: quiet,
      stores: {
        r: {
          driver: 'redis',
          url: `redis://app:s3cret@127.0.0.1:${port}`,
          requireOnStartup: true,
          connectTimeout: '300ms',
        },
      },
    });
    const err = await manager.ready().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect(err!.message).toContain('"r"');
    expect(err!.message).toContain(`redis://app:***@127.0.0.1:${port}`);
    expect(err!.message).not.toContain('s3cret');
    await manager.close();
  });

  it('close() of a store whose Redis is down leaves no timer behind: the process can exit at once', async () => {
    // In a process of its own, where nothing else keeps a timer. ioredis' disconnect() armed a
    // 2 s timer on the socket that had already closed, which kept the process alive.
    const result = await runRedisWorker({ port: await freePort() }, 'redis-close-worker.ts');
    expect(result).toEqual({ missed: true, refused: true, timers: 0 });
  }, 30_000);

  it('with lazyConnect, start-up succeeds and reads miss at once while Redis is unreachable', async () => {
    const port = await freePort();
    await withManager(
      { stores: { r: { driver: 'redis', url: `redis://127.0.0.1:${port}`, lazyConnect: true, timeout: 300 } } },
      async (m) => {
        const cache = m.store('r');
        expect(await cache.get('k', 'fallback')).toBe('fallback');
        expect(await cache.remember('k', 60, () => 'loaded')).toBe('loaded');
        await expect(cache.increment('k')).rejects.toBeInstanceOf(CacheUnavailableError);
        expect((await m.health()).r.status).toBe('down');
        expect(m.stats().r.errors).toBeGreaterThan(0);
      },
    );
  });

  it('uses a client the application owns and leaves it open on close', async () => {
    const client = new Redis(server.port, '127.0.0.1');
    try {
      await withManager({ prefix: 'own', stores: { r: { driver: 'redis', client } } }, async (m) => {
        await m.store('r').set('k', 'v');
        expect(await m.store('r').get('k')).toBe('v');
        await m.store('r').clear();
      });
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('wakes a lock waiter in another connection as soon as the holder releases', async () => {
    const a = new RedisStore({ url: server.url }, { namespace: 'wake' });
    const b = new RedisStore({ url: server.url }, { namespace: 'wake' });
    try {
      await Promise.all([a.init(), b.init()]);
      expect(await a.acquireLock('wake:\u0000l:k', 't1', 10_000)).toBe(true);
      expect(await b.acquireLock('wake:\u0000l:k', 't2', 10_000)).toBe(false);
      expect(await a.renewLock('wake:\u0000l:k', 't2', 10_000)).toBe(false);
      expect(await a.renewLock('wake:\u0000l:k', 't1', 10_000)).toBe(true);
      // The first wait opens the subscription; a second one is then already subscribed.
      await b.waitForChange('wake:k', 50);
      const start = performance.now();
      const woken = b.waitForChange('wake:k', 10_000).then(() => performance.now() - start);
      await a.releaseLock('wake:\u0000l:k', 't2');
      expect(await raw.exists('wake:\u0000l:k')).toBe(1);
      await a.releaseLock('wake:\u0000l:k', 't1');
      expect(await raw.exists('wake:\u0000l:k')).toBe(0);
      // Woken by the release, far before its 10 s timeout.
      expect(await woken).toBeLessThan(5000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('remember with lock across two managers runs the loader once', async () => {
    const options: CacheManagerOptions = {
      prefix: 'lock2',
      stores: { r: { driver: 'redis', url: server.url, lock: true } },
    };
    const m1 = createCacheManager({ logger: quiet, ...options });
    const m2 = createCacheManager({ logger: quiet, ...options });
    try {
      await Promise.all([m1.ready(), m2.ready()]);
      let calls = 0;
      const loader = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 200));
        return 'once';
      };
      const results = await Promise.all([m1, m2, m1, m2].map((m) => m.store('r').remember('k', 60, loader)));
      expect(results).toEqual(['once', 'once', 'once', 'once']);
      expect(calls).toBe(1);
      await m1.store('r').clear();
    } finally {
      await Promise.all([m1.close(), m2.close()]);
    }
  });
});
