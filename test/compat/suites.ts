/**
 * One set of assertions for apps written against @nestjs/cache-manager, run by
 * incumbent.spec.ts against the real package and by compat.spec.ts against
 * nestjs-cachekit/compat (the same app sources, only the import resolved elsewhere). Checks that
 * COMPAT.md names as deliberate improvements run for compat only (`improved`).
 */
import { describe, expect, it, jest, afterEach, beforeAll, afterAll } from '@jest/globals';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import Keyv from 'keyv';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import type * as Lib from '@nestjs/cache-manager';
import { RedisServer, rawCommand } from '../support/redis-server.js';

export type Flavour = 'incumbent' | 'compat';
type Manager = Lib.Cache;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  app: INestApplication;
  http: ReturnType<typeof request>;
  cache: Manager;
  calls: { of(name: string): number };
}

async function start(module: Type): Promise<Omit<Started, 'calls'> & { app: INestApplication }> {
  const app = await NestFactory.create(module, { logger: false });
  await app.init();
  return { app, http: request(app.getHttpServer()), cache: app.get<Manager>('CACHE_MANAGER') };
}

export function defineCompatSuites(flavour: Flavour, lib: typeof Lib): void {
  // Improvements are asserted for compat only: for the incumbent they are not registered at all.
  const improved = flavour === 'compat' ? it : ((() => undefined) as unknown as typeof it);
  let redis: RedisServer;
  let ns = 0;
  beforeAll(async () => {
    redis = await RedisServer.start();
    process.env.REDIS_URL = redis.url;
  });
  afterAll(async () => {
    await redis.stop();
  });

  const apps = async () => import('./apps/modules.js');
  const storeApps = async () => import('./apps/stores.modules.js');
  // `noTtl`: upstream's manager cannot read expiries through a cacheable instance (ttl() and
  // raw wraps answer as if absent), so those checks are left out there, for both flavours.
  const httpApps: [string, () => Promise<Type>, { redis?: boolean; noTtl?: boolean; typed?: boolean }][] = [
    ['register()', async () => (await apps()).RegisterAppModule, {}],
    ['registerAsync({ useFactory })', async () => (await apps()).FactoryAppModule, {}],
    ['registerAsync({ useClass })', async () => (await apps()).ClassAppModule, {}],
    ['registerAsync({ useExisting, extraProviders })', async () => (await apps()).ExistingAppModule, {}],
    ['Keyv + KeyvRedis stores', async () => (await storeApps()).KeyvRedisAppModule, { redis: true, typed: true }],
    ['a cacheable instance', async () => (await storeApps()).CacheableAppModule, { redis: true, noTtl: true }],
  ];

  describe(`exports (${flavour})`, () => {
    it('has the nine runtime names with the same token values', () => {
      expect(lib.CACHE_MANAGER).toBe('CACHE_MANAGER');
      expect(lib.CACHE_KEY_METADATA).toBe('cache_module:cache_key');
      expect(lib.CACHE_TTL_METADATA).toBe('cache_module:cache_ttl');
      expect(lib.CACHE_MODULE_OPTIONS).toBe('CACHE_MODULE_OPTIONS');
      for (const name of ['Cache', 'CacheModule', 'CacheInterceptor', 'CacheKey', 'CacheTTL'] as const) {
        expect(typeof lib[name]).toBe('function');
      }
      const dynamic = lib.CacheModule.register({ isGlobal: true, ttl: 5 });
      expect(dynamic.global).toBe(true);
      expect(dynamic.module).toBe(lib.CacheModule);
    });
  });

  for (const [title, load, opts] of httpApps) {
    describe(`${title} (${flavour})`, () => {
      let s: Started;
      beforeAll(async () => {
        process.env.CACHE_NAMESPACE = `${flavour}-${++ns}`;
        const module = await load();
        const started = await start(module);
        const { CallCounter } = await import('./apps/items.service.js');
        s = { ...started, calls: started.app.get(CallCounter) };
      });
      afterAll(async () => {
        await s.cache.clear();
        await s.app.close();
      });
      afterEach(() => {
        jest.restoreAllMocks();
      });

      it('provides Cache as an alias of CACHE_MANAGER', () => {
        expect(s.app.get(lib.Cache)).toBe(s.cache);
      });

      it('caches GET by URL, query string included, with X-Cache', async () => {
        const first = await s.http.get('/items').expect(200);
        expect(first.headers['x-cache']).toBe('MISS');
        const second = await s.http.get('/items').expect(200);
        expect(second.headers['x-cache']).toBe('HIT');
        expect(second.body).toEqual(first.body);
        await s.http.get('/items?q=1').expect(200).expect('x-cache', 'MISS');
        await s.http.get('/items?q=1').expect(200).expect('x-cache', 'HIT');
        expect(s.calls.of('list:')).toBe(1);
        expect(s.calls.of('list:1')).toBe(1);
        expect(await s.cache.get('/items?q=1')).toEqual({ q: '1', run: 1 });
      });

      it('@CacheKey caches a POST and serves it with its status', async () => {
        const a = await s.http.post('/items/keyed').send({ v: 1 }).expect(201);
        expect(a.headers['x-cache']).toBe('MISS');
        const b = await s.http.post('/items/keyed').send({ v: 2 }).expect(201);
        expect(b.headers['x-cache']).toBe('HIT');
        expect(b.body).toEqual(a.body);
        const plain = await s.http.post('/items/plain').expect(201);
        expect(plain.headers['x-cache']).toBeUndefined();
        await s.http.post('/items/plain').expect(201);
        expect(s.calls.of('plain')).toBe(2);
      });

      it('@CacheKey factories and controller-level interceptors', async () => {
        await s.http.get('/items/key-factory/7').expect(200).expect('x-cache', 'MISS');
        await s.http.get('/items/key-factory/7').expect(200).expect('x-cache', 'HIT');
        expect(await s.cache.get('kf:7')).toEqual({ id: '7', run: 1 });
        await s.http.get('/cached/a').expect(200);
        await s.http.get('/cached/a').expect(200).expect('x-cache', 'HIT');
        expect(s.calls.of('cached-a')).toBe(1);
      });

      it('never serves null, serves falsy values, never caches errors or files', async () => {
        await s.http.get('/items/nil').expect(200).expect('x-cache', 'MISS');
        await s.http.get('/items/nil').expect(200).expect('x-cache', 'MISS');
        expect(s.calls.of('nil')).toBe(2);
        await s.http.get('/items/falsy').expect(200).expect('x-cache', 'MISS');
        const hit = await s.http.get('/items/falsy').expect(200).expect('x-cache', 'HIT');
        expect(hit.text).toBe('0');
        await s.http.get('/items/boom').expect(400);
        await s.http.get('/items/boom').expect(400);
        expect(s.calls.of('boom')).toBe(2);
        const f1 = await s.http.get('/items/file').expect(200).expect('x-cache', 'MISS');
        const f2 = await s.http.get('/items/file').expect(200).expect('x-cache', 'MISS');
        expect([String(f1.body), String(f2.body)]).toEqual(['file body', 'file body']);
        expect(s.calls.of('file')).toBe(2);
      });

      it('an Observable handler: the last value is answered, cached and served', async () => {
        const miss = await s.http.get('/items/stream').expect(200).expect('x-cache', 'MISS');
        expect(miss.body).toEqual({ part: 2, run: 1 });
        const hit = await s.http.get('/items/stream').expect(200).expect('x-cache', 'HIT');
        expect(hit.body).toEqual({ part: 2, run: 1 });
        expect(await s.cache.get('/items/stream')).toEqual({ part: 2, run: 1 });
        expect(s.calls.of('stream')).toBe(1);
      });

      it('@CacheTTL in ms (sub-second), 0 = forever, factories', async () => {
        await s.http.get('/items/short').expect(200);
        await s.http.get('/items/short').expect('x-cache', 'HIT');
        await sleep(600);
        await s.http.get('/items/short').expect('x-cache', 'MISS');
        expect(s.calls.of('short')).toBe(2);
        await s.http.get('/items/forever').expect(200);
        expect(await s.cache.get('/items/forever')).toEqual({ run: 1 });
        expect(await s.cache.ttl('/items/forever')).toBeUndefined();
        await s.http.get('/items/factory-ttl').expect(200);
        await s.http.get('/items/factory-ttl').expect('x-cache', 'HIT');
        if (opts.noTtl) return;
        const expires = await s.cache.ttl('/items/factory-ttl');
        expect(expires).toBeGreaterThan(Date.now() + 50_000);
        expect(expires).toBeLessThanOrEqual(Date.now() + 60_000);
      });

      it('fails open when the cache read throws', async () => {
        jest.spyOn(s.cache, 'get').mockRejectedValue(new Error('store down'));
        const res = await s.http.get('/items?q=failing').expect(200);
        expect(res.headers['x-cache']).toBeUndefined();
      });

      it('services: wrap coalesces concurrent loads, del, the Cache class token', async () => {
        const all = await Promise.all([1, 2, 3].map(() => s.http.get('/profiles/1').expect(200)));
        expect(all.map((r) => r.body)).toEqual([1, 2, 3].map(() => ({ id: '1', loads: 1 })));
        await s.http.delete('/profiles/1').expect(200).expect('true');
        expect((await s.http.get('/profiles/1')).body).toEqual({ id: '1', loads: 2 });
        await s.http.put('/profiles/settings/theme').send({ value: 'dark' }).expect(200).expect({ stored: 'dark' });
        await s.http.get('/profiles/settings/theme').expect({ value: 'dark' });
      });

      it('the manager: get/set/ttl/mget/mset/del/mdel/clear shapes, ms TTLs', async () => {
        const c = s.cache;
        expect(await c.get('missing')).toBeUndefined();
        expect(await c.set('a', 1)).toBe(1);
        expect(await c.set('n', null)).toBeNull();
        expect(await c.get('n')).toBeNull();
        const before = Date.now();
        await c.set('t', 'v', 1000);
        await c.set('zero', 'z', 0);
        expect(await c.get('zero')).toBe('z');
        if (!opts.noTtl) {
          const expires = await c.ttl('t');
          expect(expires).toBeGreaterThanOrEqual(before + 900);
          // A few ms of slack: under load the memory store's clock reading lags (lru-cache ttlResolution).
          expect(expires).toBeLessThanOrEqual(Date.now() + 1000 + 100);
          expect(await c.ttl('zero')).toBeUndefined();
        }
        if (!opts.noTtl) {
          await c.set('neg', 'x', -1);
          expect(await c.get('neg')).toBeUndefined();
        }
        await c.set('sub', 's', 250);
        expect(await c.get('sub')).toBe('s');
        await sleep(600);
        expect(await c.get('sub')).toBeUndefined();
        await c.set('b', { two: 2 });
        expect(await c.mget(['a', 'nope', 'b'])).toEqual([1, undefined, { two: 2 }]);
        const list = await c.mset([
          { key: 'm1', value: 1 },
          { key: 'm2', value: 2, ttl: 5000 },
        ]);
        expect(list.map((i) => [i.key, i.value])).toEqual([
          ['m1', 1],
          ['m2', 2],
        ]);
        expect(list[1].ttl).toBe(5000);
        expect(await c.get('m2')).toBe(2);
        expect(await c.del('m1')).toBe(true);
        expect(await c.del('never-there')).toBe(true);
        expect(await c.mdel(['m2', 'a'])).toBe(true);
        expect(await c.mget(['m1', 'm2', 'a'])).toEqual([undefined, undefined, undefined]);
        expect(await c.clear()).toBe(true);
        expect(await c.get('b')).toBeUndefined();
        expect(typeof c.cacheId()).toBe('string');
        expect(Array.isArray(c.stores)).toBe(true);
      });

      it('the manager: wrap (coalesced, raw, refreshThreshold) and events', async () => {
        const c = s.cache;
        let loads = 0;
        const load = async () => {
          loads++;
          await sleep(20);
          return { loads };
        };
        const three = await Promise.all([c.wrap('w', load, 10_000), c.wrap('w', load, 10_000), c.wrap('w', load)]);
        expect(loads).toBe(1);
        expect(three).toEqual([{ loads: 1 }, { loads: 1 }, { loads: 1 }]);
        if (!opts.noTtl) {
          const raw = await c.wrap('w', load, { ttl: 10_000, raw: true });
          expect(raw?.value).toEqual({ loads: 1 });
          expect(raw?.expires).toBeGreaterThan(Date.now() + 5000);
          // Below the refresh threshold: the cached value now, a background refresh after.
          await c.wrap('r', load, 1000, 900);
          await sleep(200);
          expect(await c.wrap('r', load, 1000, 900)).toEqual({ loads: 2 });
          await sleep(100);
          expect(loads).toBe(3);
          expect(await c.wrap('r', load, 1000, 900)).toEqual({ loads: 3 });
        }
        const gets: unknown[] = [];
        const onGet = (e: unknown) => gets.push(e);
        c.on('get', onGet);
        await c.get('ev-missing');
        await c.set('ev-hit', 'h');
        await c.get('ev-hit');
        c.off('get', onGet);
        // A hit only, naming the store that answered.
        expect(gets).toEqual([{ key: 'ev-hit', value: 'h', store: 'primary' }]);
        const seen: unknown[] = [];
        const listener = (e: unknown) => seen.push(e);
        c.on('set', listener);
        await c.set('ev', 1);
        await c.wrap('ev-wrap', async () => 'w');
        c.off('set', listener);
        await c.set('ev', 2);
        // One event per store written (named), then one for the write; a wrap's load writes alike.
        const perStore = c.stores.map((_, i) => (i === 0 ? 'primary' : `secondary:${i - 1}`));
        for (const key of ['ev', 'ev-wrap']) {
          const events = seen.filter((e) => (e as { key: string }).key === key);
          const value = key === 'ev' ? 1 : 'w';
          expect(events).toEqual(
            expect.arrayContaining([...perStore.map((store) => ({ key, value, store })), { key, value }]),
          );
          expect(events).toHaveLength(perStore.length + 1);
        }
        expect(seen).not.toContainEqual(expect.objectContaining({ value: 2 }));
      });

      it('cache.stores: the Keyv members upstream code uses (typed and working)', async () => {
        await s.cache.set('inspect', 'seen', 60_000);
        const { StoresService } = await import('./apps/items.service.js');
        const got = await s.app.get(StoresService).inspect('inspect');
        expect(got).toMatchObject({ has: true, value: 'seen', rawValue: 'seen', many: ['seen', undefined] });
        if (!opts.noTtl) expect(got.expires).toBeGreaterThan(Date.now());
      });

      improved('single-flight: 50 concurrent cold GETs run the handler once (followers marked MISS)', async () => {
        const all = await Promise.all(Array.from({ length: 50 }, () => s.http.get('/items/slow').expect(200)));
        expect(s.calls.of('slow')).toBe(1);
        // Requests reaching the server after the write are plain hits.
        expect(all.filter((r) => r.headers['x-cache'] === 'MISS').length).toBeGreaterThan(1);
        expect(all.every((r) => ['MISS', 'HIT'].includes(r.headers['x-cache']))).toBe(true);
        expect(all.every((r) => r.body.run === 1)).toBe(true);
      });

      improved('the write is done before the response completes', async () => {
        await s.http.get('/items?q=awaited').expect(200);
        expect(await s.cache.get('/items?q=awaited')).toEqual({ q: 'awaited', run: 1 });
      });

      if (opts.typed) {
        improved('types round-trip through Redis (a fresh app reads a Date back as a Date)', async () => {
          const at = new Date('2024-01-02T03:04:05.678Z');
          await s.cache.set('typed', { at, tags: new Set(['a']) });
          const other = await start(await load());
          try {
            const back = await other.cache.get<{ at: Date; tags: Set<string> }>('typed');
            expect(back?.at).toBeInstanceOf(Date);
            expect(back?.at.getTime()).toBe(at.getTime());
          } finally {
            await other.app.close();
          }
        });
      }
      if (opts.redis) {
        improved("clear() leaves other apps' Redis keys alone", async () => {
          const port = Number(new URL(redis.url).port);
          await rawCommand(port, 'SET other-app-key 1');
          await rawCommand(port, 'SET other::namespaced 1');
          await s.cache.set('mine', 1);
          expect(await s.cache.clear()).toBe(true);
          expect(await s.cache.get('mine')).toBeUndefined();
          expect(await rawCommand(port, 'EXISTS other-app-key')).toBe(':1\r\n');
          expect(await rawCommand(port, 'EXISTS other::namespaced')).toBe(':1\r\n');
        });

        it('disconnects the stores when the app closes', async () => {
          const other = await start(await load());
          const spies = other.cache.stores
            .filter((st) => typeof (st as { disconnect?: unknown }).disconnect === 'function')
            .map((st) => jest.spyOn(st as { disconnect(): Promise<void> }, 'disconnect'));
          await other.app.close();
          expect(spies.length).toBeGreaterThan(0);
          for (const spy of spies) expect(spy).toHaveBeenCalled();
        });
      }
    });
  }

  describe(`a Keyv instance with its own ttl (${flavour})`, () => {
    async function manager(options: Lib.CacheModuleOptions): Promise<{ cache: Manager; close(): Promise<void> }> {
      @Module({ imports: [lib.CacheModule.register(options)] })
      class OwnTtlModule {}
      const ctx = await NestFactory.createApplicationContext(OwnTtlModule, { logger: false });
      return { cache: ctx.get<Manager>('CACHE_MANAGER'), close: () => ctx.close() };
    }

    it('applies it when neither the call nor the module gives a ttl; 0 (call or module) never expires', async () => {
      const plain = await manager({ stores: [new Keyv({ ttl: 200 })] });
      const zero = await manager({ ttl: 0, stores: [new Keyv({ ttl: 200 })] });
      try {
        await plain.cache.set('default', 'd');
        await plain.cache.set('zero', 'z', 0);
        await plain.cache.wrap('wrapped', async () => 'w', 0);
        await zero.cache.set('module-zero', 'm');
        expect(await plain.cache.ttl('default')).toBeGreaterThan(Date.now());
        expect(await plain.cache.ttl('zero')).toBeUndefined();
        await sleep(500);
        expect(await plain.cache.get('default')).toBeUndefined();
        expect(await plain.cache.get('zero')).toBe('z');
        expect(await plain.cache.get('wrapped')).toBe('w');
        expect(await zero.cache.get('module-zero')).toBe('m');
      } finally {
        await plain.close();
        await zero.close();
      }
    });
  });

  describe(`a global module with APP_INTERCEPTOR (${flavour})`, () => {
    let s: Started;
    beforeAll(async () => {
      const started = await start((await apps()).GlobalAppModule);
      const { CallCounter } = await import('./apps/items.service.js');
      s = { ...started, calls: started.app.get(CallCounter) };
    });
    afterAll(() => s.app.close());

    it('caches every GET route without a per-controller interceptor', async () => {
      await s.http.get('/items?q=g').expect(200).expect('x-cache', 'MISS');
      await s.http.get('/items?q=g').expect(200).expect('x-cache', 'HIT');
      await s.http.get('/profiles/9').expect(200).expect('x-cache', 'MISS');
      await s.http.get('/profiles/9').expect(200).expect('x-cache', 'HIT');
      await s.http.post('/items/keyed').expect(201).expect('x-cache', 'MISS');
      await s.http.post('/items/keyed').expect(201).expect('x-cache', 'HIT');
      expect(s.calls.of('list:g')).toBe(1);
    });
  });

  describe(`a subclassed interceptor (${flavour})`, () => {
    let s: Started;
    beforeAll(async () => {
      const { SubclassAppModule } = await import('./apps/subclass.module.js');
      const started = await start(SubclassAppModule);
      const { CallCounter } = await import('./apps/items.service.js');
      s = { ...started, calls: started.app.get(CallCounter) };
    });
    afterAll(() => s.app.close());

    it('async trackBy, isRequestCacheable and allowedMethods overrides apply', async () => {
      await s.http.get('/tenant/report').set('x-tenant', 'a').expect('x-cache', 'MISS');
      await s.http.get('/tenant/report').set('x-tenant', 'a').expect('x-cache', 'HIT');
      await s.http.get('/tenant/report').set('x-tenant', 'b').expect('x-cache', 'MISS');
      await s.http.head('/tenant/report').set('x-tenant', 'a').expect(200).expect('x-cache', 'HIT');
      const skipped = await s.http.get('/tenant/report').set('x-tenant', 'a').set('x-no-cache', '1').expect(200);
      expect(skipped.headers['x-cache']).toBeUndefined();
      const post = await s.http.post('/tenant/report').set('x-tenant', 'a').expect(201);
      expect(post.headers['x-cache']).toBeUndefined();
      expect(s.calls.of('report')).toBe(3);
      expect(await s.cache.get('a:/tenant/report')).toEqual({ run: 1 });
    });

    it('a synchronous trackBy override', async () => {
      await s.http.get('/fixed/one').expect('x-cache', 'MISS');
      const two = await s.http.get('/fixed/two').expect('x-cache', 'HIT');
      expect(two.body).toEqual({ which: 'one', run: 1 });
    });
  });
}
