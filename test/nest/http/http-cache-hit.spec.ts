// The hit path: hits of text-mode routes on a memory store are sent from the interceptor itself,
// before the rest of Nest's pipeline. These tests pin, over real HTTP on both platforms, that such
// a hit is what the miss (and the usual hit path) sends: status, every header as it left (names,
// order, values) but Date/Age/X-Cache, and the body byte for byte; and that everything it does not
// handle still goes the usual way. A subclass of each Nest adapter counts the replies Nest sends,
// which tells the two paths apart.
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Header, Headers, HttpCode, Module, Res, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheEvict, CacheManager, CacheModule, CacheTags } from '../../../src';
import { ManualClock } from '../../../src/testing';
import type { Platform } from '../../fixtures/decorators/http.fixture';
import { headerOf, rawCall, type RawAnswer } from '../../support/raw-http';

/** Express's response and Fastify's reply alike: `header()` sets one and returns the same object. */
interface HeaderSetter {
  header(name: string, value: string): HeaderSetter;
}

let runs = 0;
const body = () => ({ run: ++runs, s: 'é <tag> & "q" ✓', list: [1, null, { deep: true }] });

@Controller()
class HitController {
  @Get('plain')
  @Cacheable({ ttl: 60 })
  plain() {
    return body();
  }

  @Get('shaped')
  @Cacheable({ ttl: 60 })
  @HttpCode(203)
  @Header('Content-Type', 'application/vnd.api+json')
  @Header('X-Custom', 'kept')
  shaped() {
    return body();
  }

  @Get('varied')
  @Cacheable({ ttl: 60, vary: ['accept-language'] })
  varied(@Headers('accept-language') lang: string) {
    return { lang, run: ++runs };
  }

  @Get('tagged')
  @Cacheable({ ttl: 60 })
  @CacheTags(['things'])
  tagged() {
    return body();
  }

  @Get('flush')
  @CacheEvict({ tags: ['things'] })
  flush() {
    return { flushed: true };
  }

  @Get('stale')
  @Cacheable({ ttl: '50ms', staleTtl: '1m' })
  stale() {
    return body();
  }

  @Get('disk')
  @Cacheable({ ttl: 60, store: 'disk' })
  disk() {
    return body();
  }

  // Set by the handler (on the miss only), not by @Header, which Nest applies to every response.
  @Get('proto-header')
  @Cacheable({ ttl: 60 })
  protoHeader(@Res({ passthrough: true }) res: HeaderSetter) {
    res.header('__proto__', 'kept').header('constructor', 'kept');
    return body();
  }

  @Get('proto-header-disk')
  @Cacheable({ ttl: 60, store: 'disk' })
  protoHeaderDisk(@Res({ passthrough: true }) res: HeaderSetter) {
    res.header('__proto__', 'kept').header('constructor', 'kept');
    return body();
  }
}

/** Nest's own adapters, counting the replies Nest sends through them. */
class CountingExpress extends ExpressAdapter {
  replies = 0;
  override reply(...args: Parameters<ExpressAdapter['reply']>) {
    this.replies++;
    return super.reply(...args);
  }
}
class CountingFastify extends FastifyAdapter {
  replies = 0;
  override reply(...args: Parameters<FastifyAdapter['reply']>) {
    this.replies++;
    return super.reply(...args);
  }
}

type Answer = RawAnswer;
const call = rawCall;
const header = headerOf;
/** The headers that differ between any two responses of one entry, left out of comparisons. */
const PER_RESPONSE = new Set(['date', 'age', 'x-cache']);
const lasting = (a: Answer) => a.headers.filter(([n]) => !PER_RESPONSE.has(n.toLowerCase()));

describe.each<Platform>(['express', 'fastify'])('HTTP cache hit path on %s', (platform) => {
  let app: INestApplication;
  let adapter: CountingExpress | CountingFastify;
  let port: number;
  let dir: string;
  let clock: ManualClock;

  async function boot(setup?: (app: INestApplication) => void): Promise<void> {
    @Module({
      imports: [
        CacheModule.forRoot({
          clock,
          stores: { memory: { driver: 'memory' }, disk: { driver: 'file', directory: dir } },
        }),
      ],
      controllers: [HitController],
    })
    class HitAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HitAppModule] }).compile();
    adapter = platform === 'fastify' ? new CountingFastify() : new CountingExpress();
    app = moduleRef.createNestApplication(adapter, { logger: false });
    setup?.(app);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  }

  beforeEach(async () => {
    runs = 0;
    clock = new ManualClock();
    dir = await mkdtemp(join(tmpdir(), 'ck-hit-'));
  });
  afterEach(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a hit without the rest of Nest: the same status, headers and bytes as the miss', async () => {
    await boot();
    const miss = await call(port, '/plain');
    const repliesAfterMiss = adapter.replies;
    const hit = await call(port, '/plain');
    expect(adapter.replies).toBe(repliesAfterMiss); // Nest sent nothing for the hit
    expect(header(miss, 'x-cache')).toBe('MISS');
    expect(header(hit, 'x-cache')).toBe('HIT');
    expect(header(hit, 'age')).toMatch(/^\d+$/);
    expect(hit.status).toBe(200);
    expect(hit.body.equals(miss.body)).toBe(true);
    expect(JSON.parse(hit.body.toString('utf8'))).toEqual({
      run: 1,
      s: 'é <tag> & "q" ✓',
      list: [1, null, { deep: true }],
    });
    expect(header(hit, 'content-type')).toBe('application/json; charset=utf-8');
    expect(header(hit, 'content-length')).toBe(String(miss.body.length));
    expect(lasting(hit)).toEqual(lasting(miss));
    expect(runs).toBe(1);
  });

  it('sends what the usual hit path sends, header for header and byte for byte', async () => {
    await boot();
    await call(port, '/plain');
    const fast = await call(port, '/plain');
    const before = adapter.replies;
    // A condition the hit path leaves to the usual one (an ETag that does not match).
    const usual = await call(port, '/plain', 'GET', { 'if-none-match': 'W/"other"' });
    expect(adapter.replies).toBe(before + 1);
    expect(header(usual, 'x-cache')).toBe('HIT');
    expect(usual.status).toBe(fast.status);
    expect(usual.body.equals(fast.body)).toBe(true);
    expect(lasting(usual)).toEqual(lasting(fast));
    // And a matching one gets its empty 304 there.
    const etag = header(fast, 'etag')!;
    const notModified = await call(port, '/plain', 'GET', { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
  });

  it("keeps the handler's status, Content-Type and headers", async () => {
    await boot();
    const miss = await call(port, '/shaped');
    const before = adapter.replies;
    const hit = await call(port, '/shaped');
    expect(adapter.replies).toBe(before);
    expect(hit.status).toBe(203);
    expect(header(hit, 'content-type')).toBe('application/vnd.api+json; charset=utf-8');
    expect(header(hit, 'x-custom')).toBe('kept');
    expect(hit.body.equals(miss.body)).toBe(true);
    expect(lasting(hit)).toEqual(lasting(miss));
  });

  it('keeps headers named like Object.prototype members (__proto__, constructor) on memory and file stores', async () => {
    await boot();
    // Fastify itself drops a `__proto__` header from its reply (a plain object): only `constructor` there.
    const name = platform === 'express' ? '__proto__' : 'constructor';
    for (const path of ['/proto-header', '/proto-header-disk']) {
      const miss = await call(port, path);
      const hit = await call(port, path);
      const usual = await call(port, path, 'GET', { 'if-none-match': 'W/"other"' });
      expect(header(miss, name)).toBe('kept');
      expect(header(hit, 'x-cache')).toBe('HIT');
      expect(header(usual, 'x-cache')).toBe('HIT');
      expect(header(hit, name)).toBe('kept');
      expect(header(usual, name)).toBe('kept');
      expect(lasting(hit)).toEqual(lasting(miss));
    }
    expect(runs).toBe(2);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    await boot();
    await call(port, '/plain');
    const get = await call(port, '/plain');
    const before = adapter.replies;
    const head = await call(port, '/plain', 'HEAD');
    expect(adapter.replies).toBe(before);
    expect(head.status).toBe(200);
    expect(header(head, 'x-cache')).toBe('HIT');
    expect(head.body.length).toBe(0);
    expect(lasting(head)).toEqual(lasting(get));
    expect(runs).toBe(1);
  });

  it('keys by vary headers and keeps the Vary header', async () => {
    await boot();
    const en = await call(port, '/varied', 'GET', { 'accept-language': 'en' });
    const enHit = await call(port, '/varied', 'GET', { 'accept-language': 'en' });
    const fr = await call(port, '/varied', 'GET', { 'accept-language': 'fr' });
    expect(header(enHit, 'x-cache')).toBe('HIT');
    expect(enHit.body.equals(en.body)).toBe(true);
    expect(lasting(enHit)).toEqual(lasting(en));
    expect(header(enHit, 'vary')).toMatch(/accept-language/i);
    expect(header(fr, 'x-cache')).toBe('MISS');
    expect(JSON.parse(fr.body.toString()).lang).toBe('fr');
  });

  it('leaves requests with credentials, no-cache or no-store to the usual path', async () => {
    await boot();
    await call(port, '/plain');
    const withAuth = await call(port, '/plain', 'GET', { authorization: 'Bearer x' });
    expect(header(withAuth, 'x-cache')).toBeUndefined();
    expect(JSON.parse(withAuth.body.toString()).run).toBe(2);
    const refreshed = await call(port, '/plain', 'GET', { 'cache-control': 'no-cache' });
    expect(header(refreshed, 'x-cache')).toBe('MISS');
    expect(JSON.parse(refreshed.body.toString()).run).toBe(3);
    const hit = await call(port, '/plain');
    expect(JSON.parse(hit.body.toString()).run).toBe(3);
  });

  it('counts a hit once and a miss once, as remember does', async () => {
    await boot();
    const stats = () => app.get(CacheManager).stats().memory;
    await call(port, '/plain');
    expect(stats()).toMatchObject({ hits: 0, misses: 1 });
    await call(port, '/plain');
    await call(port, '/plain');
    expect(stats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it('misses after a tag flush, and serves stale entries the usual way', async () => {
    await boot();
    await call(port, '/tagged');
    expect(header(await call(port, '/tagged'), 'x-cache')).toBe('HIT');
    await call(port, '/flush');
    const after = await call(port, '/tagged');
    expect(header(after, 'x-cache')).toBe('MISS');
    expect(JSON.parse(after.body.toString()).run).toBe(2);

    await call(port, '/stale');
    const cached = await call(port, '/stale');
    expect(header(cached, 'x-cache')).toBe('HIT');
    clock.advance('1s'); // past its 50 ms TTL, within staleTtl
    const stale = await call(port, '/stale');
    expect(header(stale, 'x-cache')).toBe('STALE');
    expect(header(stale, 'age')).toBe('1');
    expect(stale.body.equals(cached.body)).toBe(true);
  });

  it('takes the usual path on a store that answers asynchronously (file)', async () => {
    await boot();
    const miss = await call(port, '/disk');
    const before = adapter.replies;
    const hit = await call(port, '/disk');
    expect(adapter.replies).toBe(before + 1);
    expect(header(hit, 'x-cache')).toBe('HIT');
    expect(hit.body.equals(miss.body)).toBe(true);
    expect(lasting(hit)).toEqual(lasting(miss));
  });

  it('lets what acts as the response leaves still act on hits', async () => {
    let n = 0;
    await boot((a) => {
      if (platform === 'express') {
        // What on-headers users (response-time...) do: a header added as the headers leave.
        a.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
          const writeHead = res.writeHead;
          res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
            this.setHeader('X-Seen', String(++n));
            return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
          } as ServerResponse['writeHead'];
          next();
        });
      } else {
        const fastify = a.getHttpAdapter().getInstance() as {
          addHook(name: string, fn: (...args: never[]) => unknown): void;
        };
        fastify.addHook('onSend', (async (_req: unknown, reply: { header(n: string, v: string): void }, p: unknown) => {
          reply.header('x-seen', String(++n));
          return p;
        }) as never);
      }
    });
    const miss = await call(port, '/plain');
    const hit = await call(port, '/plain');
    expect(header(miss, 'x-seen')).toBe('1');
    expect(header(hit, 'x-seen')).toBe('2');
    expect(header(hit, 'x-cache')).toBe('HIT');
    expect(hit.body.equals(miss.body)).toBe(true);
  });

  it('keeps headers set before the handler (middleware on the Node response, hooks on the reply), as they left', async () => {
    let responded = 0;
    let bothResponded!: () => void;
    const responses = new Promise<void>((resolve) => (bothResponded = resolve));
    await boot((a) => {
      a.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
        res.setHeader('X-From-Middleware', 'mw');
        next();
      });
      if (platform === 'fastify') {
        const fastify = a.getHttpAdapter().getInstance() as {
          addHook(name: string, fn: (...args: never[]) => unknown): void;
        };
        fastify.addHook('onRequest', (async (_req: unknown, reply: { header(n: string, v: string): void }) => {
          reply.header('x-from-hook', 'hook');
        }) as never);
        // Hooks that run once the response is over still run for hits (Fastify's logging too).
        fastify.addHook('onResponse', (async () => {
          if (++responded === 2) bothResponded();
        }) as never);
      }
    });
    const miss = await call(port, '/plain');
    const before = adapter.replies;
    const hit = await call(port, '/plain');
    expect(adapter.replies).toBe(before);
    expect(header(hit, 'x-cache')).toBe('HIT');
    expect(header(hit, 'x-from-middleware')).toBe('mw');
    expect(lasting(hit)).toEqual(lasting(miss));
    expect(hit.body.equals(miss.body)).toBe(true);
    if (platform === 'fastify') {
      expect(header(hit, 'x-from-hook')).toBe('hook');
      await responses; // the miss's and the hit's (runs once the response is over: an event, no sleep)
      expect(responded).toBe(2);
    }
  });

  if (platform === 'fastify') {
    it('keeps objects where a preSerialization hook would change the body, on hits too', async () => {
      await boot((a) => {
        const fastify = a.getHttpAdapter().getInstance() as {
          addHook(name: string, fn: (...args: never[]) => unknown): void;
        };
        fastify.addHook('preSerialization', (async (_req: unknown, _reply: unknown, p: unknown) => ({
          wrapped: p,
        })) as never);
      });
      const miss = await call(port, '/plain');
      const before = adapter.replies;
      const hit = await call(port, '/plain');
      expect(adapter.replies).toBe(before + 1);
      expect(header(hit, 'x-cache')).toBe('HIT');
      expect(JSON.parse(hit.body.toString()).wrapped.run).toBe(1);
      expect(hit.body.equals(miss.body)).toBe(true);
    });
  } else {
    it("follows the app's JSON settings the usual way (json spaces)", async () => {
      await boot((a) => (a as unknown as { set(k: string, v: unknown): void }).set('json spaces', 2));
      const miss = await call(port, '/plain');
      const before = adapter.replies;
      const hit = await call(port, '/plain');
      expect(adapter.replies).toBe(before + 1);
      expect(miss.body.toString()).toContain('\n  "run"');
      expect(hit.body.equals(miss.body)).toBe(true);
      expect(lasting(hit)).toEqual(lasting(miss));
    });
  }
});
