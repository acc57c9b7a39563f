// Hits on Express routes where our interceptor is the outermost one are answered with the JSON
// text stored at the miss (no copy, no second JSON.stringify). These tests pin that the bytes,
// headers and what other interceptors see stay exactly as with objects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Controller,
  Get,
  Header,
  Injectable,
  Module,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { map, type Observable } from 'rxjs';
import request from 'supertest';
import { Cacheable, CacheManager, CacheModule, type CacheModuleOptions } from '../../../src';
import type { HttpCacheEntry } from '../../../src/nest/http/http-cache.entry';

/** Wraps every response as `{ data }`, as many apps' global interceptors do. */
@Injectable()
class Wrap implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

class Money {
  constructor(readonly cents: number) {}
  toJSON() {
    return `${(this.cents / 100).toFixed(2)} EUR`;
  }
}

let runs = 0;
const plainPayload = () => ({ run: ++runs, s: 'é <tag> & "q"', at: new Date(0), list: [1, null] });
const payload = () => ({ ...plainPayload(), price: new Money(1234) });

@Controller()
class TextController {
  @Get('obj')
  @Cacheable({ ttl: 60 })
  obj() {
    return payload();
  }

  @Get('vnd')
  @Header('Content-Type', 'application/vnd.api+json')
  @Cacheable({ ttl: 60 })
  vnd() {
    return payload();
  }

  // Wrap is listed after @Cacheable's interceptor: it runs inside, and its output is cached.
  @Get('inner-wrap')
  @UseInterceptors(Wrap)
  @Cacheable({ ttl: 60 })
  innerWrap() {
    return payload();
  }

  // Wrap is listed first: it wraps our interceptor and must see an object on hits too.
  @Get('outer-wrap')
  @Cacheable({ ttl: 60 })
  @UseInterceptors(Wrap)
  outerWrap() {
    return plainPayload();
  }

  @Get('outer-wrap-class')
  @Cacheable({ ttl: 60 })
  @UseInterceptors(Wrap)
  outerWrapClass() {
    return payload();
  }

  @Get('plain')
  @Cacheable({ ttl: 60 })
  plain() {
    return plainPayload();
  }
}

// One cached handler inherited by two controllers, only one of them wrapped at class level:
// whether our interceptor is the outermost one is a fact of the controller, not of the handler.
class BaseItems {
  @Get('item')
  @Cacheable({ ttl: 60 })
  item() {
    return plainPayload();
  }
}

@Controller('bare')
class BareItems extends BaseItems {}

@Controller('wrapped')
@UseInterceptors(Wrap)
class WrappedItems extends BaseItems {}

function cacheModule(dir?: string) {
  const options: CacheModuleOptions = dir
    ? { stores: { disk: { driver: 'file', directory: dir } } }
    : { stores: { memory: { driver: 'memory' } } };
  return CacheModule.forRoot(options);
}

async function boot(opts: { dir?: string; globalWrap?: boolean; jsonSpaces?: number } = {}): Promise<INestApplication> {
  @Module({
    imports: [cacheModule(opts.dir)],
    controllers: [TextController, BareItems, WrappedItems],
    providers: opts.globalWrap ? [{ provide: APP_INTERCEPTOR, useClass: Wrap }] : [],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  if (opts.jsonSpaces !== undefined) app.set('json spaces', opts.jsonSpaces);
  await app.init();
  return app;
}

async function stored(app: INestApplication, key: string): Promise<HttpCacheEntry | undefined> {
  return app.get(CacheManager).default.get<HttpCacheEntry>(key);
}

describe('HTTP cache: hits answered with stored JSON text (Express)', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('sends the same bytes and headers on a hit as on the miss, and stores text only', async () => {
    app = await boot();
    const miss = await request(app.getHttpServer()).get('/obj').expect(200);
    const hit = await request(app.getHttpServer()).get('/obj').expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(JSON.parse(hit.text)).toEqual({
      run: 1,
      s: 'é <tag> & "q"',
      at: new Date(0).toISOString(),
      price: '12.34 EUR',
      list: [1, null],
    });
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hit.headers['content-length']).toBe(miss.headers['content-length']);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    const entry = await stored(app, 'http:GET:/obj');
    expect(typeof entry?.json).toBe('string');
    expect(entry?.body).toBeUndefined();
  });

  it("keeps a handler's own Content-Type", async () => {
    app = await boot();
    const miss = await request(app.getHttpServer()).get('/vnd').expect(200);
    const hit = await request(app.getHttpServer()).get('/vnd').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['content-type']).toBe('application/vnd.api+json; charset=utf-8');
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.text).toBe(miss.text);
  });

  it('caches the output of interceptors inside it, as text', async () => {
    app = await boot();
    const miss = await request(app.getHttpServer()).get('/inner-wrap').expect(200);
    const hit = await request(app.getHttpServer()).get('/inner-wrap').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(JSON.parse(hit.text).data.price).toBe('12.34 EUR');
    expect(typeof (await stored(app, 'http:GET:/inner-wrap'))?.json).toBe('string');
  });

  it('hands objects to an interceptor that wraps it (method level and global)', async () => {
    app = await boot();
    const miss = await request(app.getHttpServer()).get('/outer-wrap').expect(200);
    const hit = await request(app.getHttpServer()).get('/outer-wrap').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toEqual(miss.body);
    expect(hit.body.data.s).toBe('é <tag> & "q"');
    expect((await stored(app, 'http:GET:/outer-wrap'))?.json).toBeUndefined();
    // The documented limit of that case: what it sees on a hit is a plain-data copy, so a class
    // instance arrives as its own fields (no toJSON, no class-transformer metadata).
    const classMiss = await request(app.getHttpServer()).get('/outer-wrap-class').expect(200);
    const classHit = await request(app.getHttpServer()).get('/outer-wrap-class').expect(200);
    expect(classMiss.body.data.price).toBe('12.34 EUR');
    expect(classHit.body.data.price).toEqual({ cents: 1234 });
    await app.close();

    app = await boot({ globalWrap: true });
    const gMiss = await request(app.getHttpServer()).get('/plain').expect(200);
    const gHit = await request(app.getHttpServer()).get('/plain').expect(200);
    expect(gHit.headers['x-cache']).toBe('HIT');
    expect(gHit.body).toEqual(gMiss.body);
    expect(Object.keys(gHit.body)).toEqual(['data']);
    expect((await stored(app, 'http:GET:/plain'))?.json).toBeUndefined();
  });

  it("follows the app's JSON settings (json spaces): hits look like misses", async () => {
    app = await boot({ jsonSpaces: 2 });
    const miss = await request(app.getHttpServer()).get('/obj').expect(200);
    const hit = await request(app.getHttpServer()).get('/obj').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(miss.text).toContain('\n  "run"');
    expect(hit.text).toBe(miss.text);
    // Kept as the JSON the client got, parsed on hits for Express to format.
    expect(typeof (await stored(app, 'http:GET:/obj'))?.json).toBe('string');
  });

  it('shares a store between an app answering with text and one whose routes are wrapped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ck-text-'));
    try {
      app = await boot({ dir });
      const plain = await request(app.getHttpServer()).get('/obj').expect(200);
      await app.close();
      // Stored as text by the first app; the second needs an object for its global interceptor.
      app = await boot({ dir, globalWrap: true });
      const wrapped = await request(app.getHttpServer()).get('/obj').expect(200);
      // It was stored as JSON text (toJSON applied): the wrapping app gets that data, parsed.
      expect(wrapped.headers['x-cache']).toBe('HIT');
      expect(wrapped.body).toEqual({ data: JSON.parse(plain.text) });
      // And the other way round: an object entry (from the wrapped app) served by a plain app.
      const wrappedMiss = await request(app.getHttpServer()).get('/plain').expect(200);
      await app.close();
      app = await boot({ dir });
      const plainHit = await request(app.getHttpServer()).get('/plain').expect(200);
      expect(plainHit.headers['x-cache']).toBe('HIT');
      expect(plainHit.body).toEqual(wrappedMiss.body.data);
    } finally {
      await app?.close();
      app = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a handler inherited by two controllers: the interceptors of each controller are honoured on hits', async () => {
    app = await boot();
    const server = app.getHttpServer();
    // The bare controller first: there our interceptor is the outermost one and hits send text.
    const bareMiss = await request(server).get('/bare/item').expect(200);
    const bareHit = await request(server).get('/bare/item').expect(200);
    expect(bareHit.headers['x-cache']).toBe('HIT');
    expect(bareHit.text).toBe(bareMiss.text);
    expect(JSON.parse(bareHit.text)).not.toHaveProperty('data');
    // The wrapped controller: Wrap wraps our interceptor, so it must see the object on hits too.
    const wrappedMiss = await request(server).get('/wrapped/item').expect(200);
    const wrappedHit = await request(server).get('/wrapped/item').expect(200);
    expect(wrappedHit.headers['x-cache']).toBe('HIT');
    expect(wrappedMiss.body).toHaveProperty('data.run');
    expect(wrappedHit.body).toEqual(wrappedMiss.body);
  });
});
