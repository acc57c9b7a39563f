/**
 * Messages speak of the user's store and key, never of client internals or the internal prefixed
 * key (DESIGN "Configuration"; issue 16 item 6). Each pinned to its text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cache,
  Cacheable,
  CacheArgumentError,
  CacheConfigError,
  CacheModule,
  CacheStoreNotFoundError,
  createCacheManager,
  InjectCache,
  type CacheManager,
  type StoreConfig,
} from '../../src';
import { Redis } from 'ioredis';
import { nestWarningsDuring } from '../support/nest-warnings';
import { freePort, RedisServer } from '../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
let dir: string;
const managers: CacheManager[] = [];
beforeAll(async () => {
  server = await RedisServer.start();
  dir = mkdtempSync(join(tmpdir(), 'cachekit-messages-'));
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function manager(stores: Record<string, StoreConfig>, prefix = 'nwlaravel'): CacheManager {
  const m = createCacheManager({ prefix, logger: quiet, stores });
  managers.push(m);
  return m;
}

describe('store failures name the store and what it means, not the client', () => {
  it('a Redis that went away: "not connected to Redis at …", never "Stream isn\'t writeable"', async () => {
    const own = await RedisServer.start();
    const m = manager({ r: { driver: 'redis', url: own.url } });
    await m.ready();
    expect((await m.health()).r.status).toBe('up');
    await own.stop();
    const health = await m.health();
    expect(health.r).toMatchObject({
      status: 'down',
      error: `Cache store "r" is unavailable (ping): not connected to Redis at ${own.url} (reconnecting in the background)`,
    });
    const err = (await m.default.increment('n').catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `Cache store "r" is unavailable (increment): not connected to Redis at ${own.url} (reconnecting in the background)`,
    );
  });

  it('a Redis down since boot: a script-backed call names the operation called, never "(eval)"', async () => {
    const port = await freePort(); // nobody listens here
    const m = manager({ r: { driver: 'redis', url: `redis://127.0.0.1:${port}` } });
    const c = m.store('r');
    for (const [op, call] of [
      ['increment', () => c.increment('n')],
      ['increment', () => c.decrement('n')],
      ['unlock', () => c.restoreLock('job', 'owner-from-another-process').release()],
    ] as const) {
      const err = (await call().catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(new RegExp(`^Cache store "r" is unavailable \\(${op}\\): `));
      expect(err.message).not.toContain('(eval)');
    }
  });
});

describe("errors about a key name the user's key, not the internal prefixed one", () => {
  it.each([
    ['memory', { driver: 'memory' }],
    ['file', () => ({ driver: 'file', directory: dir })],
    ['redis', () => ({ driver: 'redis', url: server.url })],
  ] as const)('increment of a non-number on %s: Cannot increment key "s"', async (_name, config) => {
    const m = manager({ s: (typeof config === 'function' ? config() : config) as StoreConfig });
    await m.ready();
    await m.default.set('s', 'text');
    const err = (await m.default.increment('s').catch((e: unknown) => e)) as CacheArgumentError;
    expect(err).toBeInstanceOf(CacheArgumentError);
    expect(err.message).toMatch(/^Cannot increment key "s": /);
    expect(err.message).not.toContain('nwlaravel');
    expect(err.key).toBe('s');
    await m.default.clear();
  });
});

describe('configuration errors name the option', () => {
  it('a Redis url that is not redis:// or rediss:// (was: connect ENOENT)', () => {
    expect(() => manager({ r: { driver: 'redis', url: 'http://app:s3cret@127.0.0.1:6379' } })).toThrow(
      new CacheConfigError(
        'stores.r.url must be a redis:// URL (rediss:// for TLS), got "http://app:***@127.0.0.1:6379"',
      ),
    );
    expect(() =>
      manager({
        mem: { driver: 'memory' },
        mem2: { driver: 'memory' },
        near: { driver: 'tiered', tiers: ['mem', 'mem2'], bus: { url: 'localhost:6379' } },
      }),
    ).toThrow('stores.near.bus.url must be a redis:// URL (rediss:// for TLS), got "localhost:6379"');
  });

  it('a tier that names no configured store names stores.<name>.tiers', () => {
    let err: unknown;
    try {
      manager({
        mem: { driver: 'memory' },
        redis: { driver: 'redis', url: server.url },
        near: { driver: 'tiered', tiers: ['mem', 'rediss'] },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheConfigError);
    expect((err as Error).message).toBe(
      'stores.near.tiers[1]: "rediss" is not a configured store. Known stores: mem, redis, near',
    );
    expect(err).toMatchObject({ store: 'near', field: 'tiers' });
  });

  it('a decorator TTL that cannot be parsed names Class.method', () => {
    let err: unknown;
    try {
      class ProductService {
        @Cacheable({ ttl: '10 minutes' })
        async find(): Promise<number> {
          return 1;
        }
      }
      void ProductService;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheArgumentError);
    expect((err as Error).message).toBe(
      `Invalid ttl of @Cacheable on ProductService.find: "10 minutes". Expected a duration such as '500ms', '30s', '10m', '1h' or '7d'`,
    );
  });

  it('a decorator TTL that looks like milliseconds warns once, naming Class.method', () => {
    const warnings = nestWarningsDuring(() => {
      class Reports {
        @Cacheable({ ttl: 60_000 })
        async daily(): Promise<number> {
          return 1;
        }

        @Cacheable({ ttl: 60 })
        async hourly(): Promise<number> {
          return 1;
        }
      }
      void Reports;
    });
    expect(warnings).toEqual([
      "@Cacheable ttl of Reports.daily: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string).",
    ]);
  });

  it('a class that injects a store that is not configured: one sentence naming the class and the decorator', async () => {
    @Injectable()
    class TypoInject {
      constructor(@InjectCache('redsi') readonly cache: Cache) {}
    }
    @Module({ imports: [CacheModule.forRoot({ stores: { memory: { driver: 'memory' } } })], providers: [TypoInject] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const err = await moduleRef.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await moduleRef.close();
    expect(err).toBeInstanceOf(CacheStoreNotFoundError);
    expect((err as Error).message).toBe(
      'TypoInject injects @InjectCache("redsi"): Cache store "redsi" is not configured. Known stores: memory',
    );
  });
});

describe("a stored value that cannot be read is logged with the user's key, never the prefixed one", () => {
  it.each([
    ['corrupted text', 'Jgarbage{'],
    ['an encrypted entry whose key is not configured', '\u0001ezz.AAAA'],
  ])('%s on Redis', async (_what, stored) => {
    const errors: string[] = [];
    const m = createCacheManager({
      prefix: 'nwlaravel',
      logger: { warn: () => undefined, error: (msg: string) => errors.push(msg) },
      default: 'r',
      stores: {
        r: {
          driver: 'redis',
          url: server.url,
          encrypt: { keys: [{ id: 'k1', secret: 'k1: a test secret of 32+ characters' }] },
        },
      },
    });
    managers.push(m);
    await m.ready();
    const raw = new Redis(server.url);
    await raw.set('nwlaravel:profile', stored);
    await raw.quit();
    expect(await m.get('profile')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Cache store "r" failed on get \("profile"\): Stored value for key "profile" /);
    expect(errors[0]).not.toContain('nwlaravel');
  });
});
