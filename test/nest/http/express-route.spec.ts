// Express hits sent from the route's layer: once a hit of a route was sent from the interceptor,
// later hits skip Nest's route handler altogether (express-route.ts). A subclass of Nest's Express
// adapter counts the calls of `status()`, which Nest's route handler makes at the start of every
// request it runs: hits that keep that count still are answered before Nest's handler. Every
// exclusion is pinned by what a request would get wrong if the layer answered it.
import type { AddressInfo } from 'node:net';
import {
  Controller,
  Get,
  Header,
  Injectable,
  Module,
  Scope,
  UseGuards,
  VersioningType,
  type CanActivate,
  type INestApplication,
  type VersioningOptions,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheManager, CacheModule } from '../../../src';
import { headerOf, rawCall, type RawAnswer } from '../../support/raw-http';

let runs = 0;
let allow = true;
let built = 0;
let headerCalls = 0;

@Injectable()
class Toggle implements CanActivate {
  canActivate(): boolean {
    return allow;
  }
}

@Controller('r')
class RouteController {
  @Get(['plain', 'also'])
  @Cacheable({ ttl: 60 })
  plain() {
    return { run: ++runs, s: 'é ✓' };
  }

  @Get('static-header')
  @Cacheable({ ttl: 60 })
  @Header('X-Static', 'kept')
  staticHeader() {
    return { run: ++runs };
  }

  @Get('fn-header')
  @Cacheable({ ttl: 60 })
  @Header('X-Computed', () => String(++headerCalls))
  fnHeader() {
    return { run: ++runs };
  }

  @Get('method-guard')
  @UseGuards(Toggle)
  @Cacheable({ ttl: 60 })
  methodGuard() {
    return { run: ++runs };
  }
}

@Controller('g')
@UseGuards(Toggle)
class GuardedController {
  @Get()
  @Cacheable({ ttl: 60 })
  get() {
    return { run: ++runs };
  }
}

@Controller({ path: 'h', host: 'a.test' })
class HostController {
  @Get()
  @Cacheable({ ttl: 60 })
  get() {
    return { run: ++runs };
  }
}

@Controller({ path: 'scoped', scope: Scope.REQUEST })
class ScopedController {
  constructor() {
    built++;
  }

  @Get()
  @Cacheable({ ttl: 60 })
  get() {
    return { run: ++runs };
  }
}

@Controller({ path: 'v', version: '1' })
class V1Controller {
  @Get()
  @Cacheable({ ttl: 60 })
  get() {
    return { version: 1, run: ++runs };
  }
}

@Controller({ path: 'v', version: '2' })
class V2Controller {
  @Get()
  @Cacheable({ ttl: 60 })
  get() {
    return { version: 2, run: ++runs };
  }
}

/** Nest's Express adapter, counting the requests Nest's route handler ran for. */
class CountingExpress extends ExpressAdapter {
  handled = 0;
  override status(...args: Parameters<ExpressAdapter['status']>) {
    this.handled++;
    return super.status(...args);
  }
}

const header = headerOf;

describe('Express hits sent from the route layer', () => {
  let app: INestApplication;
  let adapter: CountingExpress;
  let port: number;

  async function boot(
    controllers: Array<new (...args: never[]) => object>,
    setup?: (app: INestApplication, adapter: CountingExpress) => void,
  ): Promise<void> {
    @Module({ imports: [CacheModule.forRoot({})], controllers, providers: [Toggle] })
    class RouteAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [RouteAppModule] }).compile();
    adapter = new CountingExpress();
    app = moduleRef.createNestApplication(adapter, { logger: false });
    setup?.(app, adapter);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  }

  /** One request over a real socket, its body as text. */
  async function call(path: string, headers: Record<string, string> = {}, method = 'GET') {
    const answer = await rawCall(port, path, method, headers);
    return { ...answer, body: answer.body.toString('utf8') };
  }

  /** The headers two hits of one entry share (all but Date and Age). */
  const lasting = (a: Pick<RawAnswer, 'headers'>) =>
    a.headers.filter(([name]) => !['date', 'age'].includes(name.toLowerCase()));

  /** The Express route layers registered for `path`, by the router's own table. */
  function layersOf(path: string): Array<{ handle: unknown }> {
    const express = app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; stack: Array<{ handle: unknown }> } }> };
    };
    return express.router.stack.filter((l) => l.route?.path === path).flatMap((l) => l.route!.stack);
  }

  beforeEach(() => {
    runs = 0;
    allow = true;
    built = 0;
    headerCalls = 0;
  });
  afterEach(async () => {
    await app?.close();
  });

  it("answers later hits before Nest's handler, with the same status, headers and body", async () => {
    await boot([RouteController]);
    const miss = await call('/r/plain');
    const first = await call('/r/plain'); // sent from the interceptor, which wraps the layer
    const handled = adapter.handled;
    const later = await call('/r/plain');
    const head = await call('/r/plain', {}, 'HEAD');
    expect(adapter.handled).toBe(handled); // Nest's route handler ran for neither
    expect(header(miss, 'x-cache')).toBe('MISS');
    for (const hit of [first, later]) {
      expect(hit.status).toBe(200);
      expect(header(hit, 'x-cache')).toBe('HIT');
      expect(hit.body).toBe(miss.body);
    }
    expect(lasting(later)).toEqual(lasting(first));
    expect(head.body).toBe('');
    expect(lasting(head)).toEqual(lasting(first));
    expect(runs).toBe(1);
  });

  it('keeps the static @Header() headers the miss stored', async () => {
    await boot([RouteController]);
    await call('/r/static-header');
    await call('/r/static-header');
    const handled = adapter.handled;
    const hit = await call('/r/static-header');
    expect(adapter.handled).toBe(handled);
    expect(header(hit, 'x-static')).toBe('kept');
    expect(header(hit, 'x-cache')).toBe('HIT');
  });

  it('leaves what it does not answer to Nest: misses, conditional and revalidating requests', async () => {
    await boot([RouteController]);
    await call('/r/plain');
    const hit = await call('/r/plain');
    let handled = adapter.handled;
    const notModified = await call('/r/plain', { 'if-none-match': header(hit, 'etag')! });
    expect(notModified.status).toBe(304);
    expect(adapter.handled).toBe(++handled);
    const revalidated = await call('/r/plain', { 'cache-control': 'no-cache' });
    expect(header(revalidated, 'x-cache')).toBe('MISS');
    expect(adapter.handled).toBe(++handled);
    await app.get(CacheManager).clear();
    const miss = await call('/r/plain');
    expect(header(miss, 'x-cache')).toBe('MISS');
    expect(adapter.handled).toBe(++handled);
    expect(JSON.parse(miss.body)).toEqual({ run: 3, s: 'é ✓' });
    const again = await call('/r/plain');
    expect(header(again, 'x-cache')).toBe('HIT');
    expect(again.body).toBe(miss.body);
    expect(adapter.handled).toBe(handled);
  });

  it("wraps each path's layer of a route with several paths, and puts Nest's handlers back on close", async () => {
    await boot([RouteController]);
    const nest = [...layersOf('/r/plain'), ...layersOf('/r/also')].map((l) => l.handle);
    expect(nest).toHaveLength(2);
    for (const path of ['/r/plain', '/r/also']) {
      await call(path);
      await call(path);
    }
    const handled = adapter.handled;
    expect(header(await call('/r/also'), 'x-cache')).toBe('HIT');
    expect(adapter.handled).toBe(handled);
    const wrapped = [...layersOf('/r/plain'), ...layersOf('/r/also')];
    expect(wrapped.map((l) => l.handle)).not.toContain(nest[0]);
    expect(wrapped.map((l) => l.handle)).not.toContain(nest[1]);
    await app.close();
    expect(wrapped.map((l) => l.handle)).toEqual(nest);
    app = undefined!;
  });

  it.each([
    ['on the method', '/r/method-guard', [RouteController]],
    ['on the controller', '/g', [GuardedController]],
    ['global', '/r/plain', [RouteController]],
  ] as const)('keeps running guards (%s) on every request', async (where, path, controllers) => {
    await boot([...controllers], where === 'global' ? (a) => a.useGlobalGuards(new Toggle()) : undefined);
    for (let i = 0; i < 3; i++) expect((await call(path)).status).toBe(200);
    allow = false;
    expect((await call(path)).status).toBe(403);
  });

  it("keeps the controller's host filter: another host is not answered from the entry", async () => {
    await boot([HostController]);
    for (let i = 0; i < 3; i++) expect((await call('/h', { host: 'a.test' })).status).toBe(200);
    expect((await call('/h', { host: 'b.test' })).status).toBe(404);
  });

  it.each<[string, VersioningOptions, (v: string) => Record<string, string>]>([
    ['header', { type: VersioningType.HEADER, header: 'X-Api-Version' }, (v) => ({ 'x-api-version': v })],
    ['media type', { type: VersioningType.MEDIA_TYPE, key: 'v=' }, (v) => ({ accept: `application/json;v=${v}` })],
    [
      'custom',
      {
        type: VersioningType.CUSTOM,
        extractor: (req: unknown) => String((req as { headers: Record<string, string> }).headers['x-v'] ?? ''),
      },
      (v) => ({ 'x-v': v }),
    ],
  ])('keeps %s versioning: one version is not answered from another one’s entry', async (_, versioning, ask) => {
    await boot([V1Controller, V2Controller], (a) => a.enableVersioning(versioning));
    for (let i = 0; i < 3; i++) expect(JSON.parse((await call('/v', ask('1'))).body).version).toBe(1);
    expect(JSON.parse((await call('/v', ask('2'))).body).version).toBe(2);
  });

  it("keeps calling the adapter's onRouteTriggered for every request", async () => {
    const triggered: string[] = [];
    await boot([RouteController], (_, a) =>
      a.setOnRouteTriggered((method, path) => triggered.push(`${method} ${path}`)),
    );
    for (let i = 0; i < 4; i++) expect((await call('/r/plain')).status).toBe(200);
    expect(triggered).toHaveLength(4);
  });

  it('keeps building a request-scoped controller per request', async () => {
    await boot([ScopedController]);
    for (let i = 0; i < 4; i++) expect((await call('/scoped')).status).toBe(200);
    expect(built).toBe(4);
    expect(runs).toBe(1);
  });

  it('keeps calling a @Header() value function on every request', async () => {
    await boot([RouteController]);
    for (let i = 0; i < 4; i++) expect((await call('/r/fn-header')).status).toBe(200);
    expect(headerCalls).toBe(4);
    expect(runs).toBe(1);
  });
});
