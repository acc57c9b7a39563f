/**
 * nestjs-cachekit/compat beyond what the shared app suites compare with the incumbent: its
 * start-up log and warnings, hanging stores, write failures, leader errors in the interceptor.
 */
import { describe, expect, it, jest, afterEach } from '@jest/globals';
import { Controller, Get, Logger, Module, UseInterceptors, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { CACHE_MANAGER, CacheInterceptor, CacheModule, type Cache } from 'nestjs-cachekit/compat';
import Keyv from 'keyv';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hanging = {
  get: () => new Promise<never>(() => undefined),
  set: () => new Promise<never>(() => undefined),
  delete: () => new Promise<never>(() => undefined),
  clear: () => new Promise<never>(() => undefined),
};

let runs = 0;
let fail = false;
/** Opened by a test to let the `gated` handler return; `entered` resolves when it runs. */
let handlerGate = gate();
@Controller()
@UseInterceptors(CacheInterceptor)
class C {
  @Get('gated')
  async gated() {
    runs++;
    handlerGate.enter();
    await handlerGate.opened;
    return { runs };
  }

  @Get('x')
  async x() {
    runs++;
    await sleep(50);
    if (fail) throw new Error('handler failed');
    return { runs };
  }
}

async function app(options: Parameters<typeof CacheModule.register>[0]): Promise<INestApplication> {
  @Module({ imports: [CacheModule.register(options)], controllers: [C] })
  class M {}
  const a = await NestFactory.create(M, { logger: false });
  await a.init();
  return a;
}

function gate() {
  let open!: () => void;
  let enter!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const entered = new Promise<void>((r) => (enter = r));
  return { opened, open, entered, enter };
}

/** A Keyv store whose next `get`, once armed, answers what it held when called, but only when let go. */
class HeldReadStore extends Map<string, unknown> {
  private held: ReturnType<typeof gate> | undefined;
  holdNextRead(): ReturnType<typeof gate> {
    return (this.held = gate());
  }
  override get(key: string): unknown {
    const held = this.held;
    if (!held) return super.get(key);
    this.held = undefined;
    const before = super.get(key);
    held.enter();
    return held.opened.then(() => before);
  }
}

afterEach(() => {
  jest.restoreAllMocks();
  handlerGate = gate();
  runs = 0;
  fail = false;
});

describe('compat start-up', () => {
  it('logs the effective stores and warns about options upstream ignores silently', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = await app({
      ttl: 5000,
      store: 'redis',
      max: 100,
      host: 'localhost',
      stores: [new Keyv(), new Map()],
    } as never);
    const logged = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toMatch(
      /Cache stores, nearest first: store1: Keyv instance \(namespace "keyv"\).*store2: Keyv adapter Map, keys "keyv:<key>".*Default TTL: 5000 ms/,
    );
    const warned = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(warned).toMatch(/option "store": the 2.x "store" option is ignored.*pass "stores"/);
    expect(warned).toMatch(/option "max": the 2.x "max" option is ignored/);
    expect(warned).toMatch(/option "host" is not a cache option and is ignored/);
    await a.close();
  });

  it('says so when an entry of stores is not a store, and falls back to memory', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = await app({ stores: [42 as never] });
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/"stores\[0\]" is not a Keyv instance/);
    const cache = a.get<Cache>(CACHE_MANAGER);
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    await a.close();
  });
});

describe('compat manager', () => {
  it('accepts the empty key, honours cacheId, and values by reference in memory', async () => {
    const a = await app({ cacheId: 'shop' });
    const cache = a.get<Cache>(CACHE_MANAGER);
    expect(cache.cacheId()).toBe('shop');
    await cache.set('', 'empty');
    expect(await cache.get('')).toBe('empty');
    expect(await cache.mget(['', 'x'])).toEqual(['empty', undefined]);
    const obj = { n: 1 };
    await cache.set('ref', obj);
    expect(await cache.get('ref')).toBe(obj);
    await a.close();
  });

  it('wrap: a throwing loader stores nothing and every caller sees the error', async () => {
    const a = await app({});
    const cache = a.get<Cache>(CACHE_MANAGER);
    let calls = 0;
    const boom = async () => {
      calls++;
      await sleep(10);
      throw new Error('loader failed');
    };
    const all = await Promise.allSettled([cache.wrap('w', boom), cache.wrap('w', boom)]);
    expect(calls).toBe(1);
    expect(all.every((r) => r.status === 'rejected')).toBe(true);
    expect(await cache.get('w')).toBeUndefined();
    await a.close();
  });

  it('nonBlocking: the first store with the value answers', async () => {
    const slow = new Keyv();
    const a = await app({ nonBlocking: true, stores: [new Keyv(), slow] });
    const cache = a.get<Cache>(CACHE_MANAGER);
    await cache.set('k', 'v');
    await sleep(20);
    expect(await cache.get('k')).toBe('v');
    expect(await slow.get('k')).toBe('v');
    await a.close();
  });
});

describe('compat interceptor', () => {
  it('a hanging Keyv store cannot hang requests: reads fail open within the timeout', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = await app({ stores: [hanging] });
    const started = Date.now();
    const res = await request(a.getHttpServer()).get('/x').expect(200);
    expect(res.body).toEqual({ runs: 1 });
    expect(Date.now() - started).toBeLessThan(10_000);
    await a.close();
  }, 20_000);

  it('a failed write is logged and the response is unaffected', async () => {
    const error = jest.spyOn(Logger, 'error').mockImplementation(() => undefined);
    const a = await app({});
    const cache = a.get<Cache>(CACHE_MANAGER);
    jest.spyOn(cache, 'set').mockRejectedValue(new Error('write failed'));
    await request(a.getHttpServer()).get('/x').expect(200).expect({ runs: 1 });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('"key: /x"'), expect.anything(), 'CacheInterceptor');
    await a.close();
  });

  it('a read that began before the leader wrote, and answers after, takes the leader value: the handler runs once', async () => {
    const store = new HeldReadStore();
    const a = await app({ stores: [new Keyv({ store })] });
    const http = request(a.getHttpServer());
    const leader = http.get('/gated').then((r) => r);
    await handlerGate.entered;
    // A second request reads while the leader's handler runs; its read answers only after the write.
    const held = store.holdNextRead();
    const late = http.get('/gated').then((r) => r);
    await held.entered;
    handlerGate.open();
    expect((await leader).body).toEqual({ runs: 1 });
    held.open();
    const second = await late;
    expect(second.body).toEqual({ runs: 1 });
    expect(second.headers['x-cache']).toBe('MISS');
    expect(runs).toBe(1);
    // Later misses (the entry deleted) lead a flight of their own.
    await a.get<Cache>(CACHE_MANAGER).del('/gated');
    handlerGate.open();
    expect((await http.get('/gated')).body).toEqual({ runs: 2 });
    await a.close();
  });

  it('when the leader fails, each waiting request runs its own handler', async () => {
    const a = await app({});
    fail = true;
    const http = request(a.getHttpServer());
    const all = await Promise.all([http.get('/x'), http.get('/x'), http.get('/x')]);
    expect(all.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(runs).toBe(3);
    fail = false;
    await http.get('/x').expect(200);
    await http.get('/x').expect('x-cache', 'HIT');
    await a.close();
  });
});
