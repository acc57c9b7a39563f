/**
 * The request scope of `cache.memo()` as `CacheModule` opens it (a Fastify root hook, an Express
 * app-level middleware): real Nest apps on both adapters, over HTTP. Concurrent requests each see
 * their own memo (a singleton's memo would otherwise share one map across them), through guards,
 * handlers, slow request bodies, routes registered on the framework before the module started and
 * routes of encapsulated Fastify plugins.
 */
import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { CacheModule, CacheService, type CacheApi, type CacheStore } from '../../../src';
import { openRequestMemoScopes } from '../../../src/nest/memo/request-memo.scope';

const { fetch } = globalThis;

interface Answer {
  id: string;
  seen: string | null;
}
const getJson = async (url: string) => (await fetch(url)).json() as Promise<Answer>;

/** A memory-like store that counts reads. */
const reads: string[] = [];
const data = new Map<string, unknown>();
const countingStore: CacheStore = {
  get: async (k) => (reads.push(k), data.get(k)),
  set: async (k, v) => void data.set(k, v),
  delete: async (k) => data.delete(k),
  clear: async () => data.clear(),
};

/** Holds requests until `size` of them are in flight, so they overlap for sure (no timing). */
class Barrier {
  private waiting: (() => void)[] = [];
  constructor(private size = 0) {}
  reset(size: number): void {
    this.size = size;
    this.waiting = [];
  }
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.size) for (const r of this.waiting.splice(0)) r();
    });
  }
}
const barrier = new Barrier();

/** One memo for the app's lifetime, as a service keeps it; per request inside a scope. */
@Injectable()
class Memo {
  readonly memo: CacheApi;
  constructor(cache: CacheService) {
    this.memo = cache.memo();
  }
}

/** Writes the request's id into the memo before the handler runs. */
@Injectable()
class WhoGuard implements CanActivate {
  constructor(private readonly m: Memo) {}
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ params: { id: string } }>();
    await this.m.memo.set('who', req.params.id);
    return true;
  }
}

@Controller()
@UseGuards(WhoGuard)
class ScopeController {
  constructor(private readonly m: Memo) {}

  /** All requests wait for each other, then read what their own guard wrote. */
  @Get('who/:id')
  async who(@Param('id') id: string) {
    await barrier.wait();
    const seen = await this.m.memo.get('who');
    const shared = [await this.m.memo.get('shared'), await this.m.memo.get('shared')];
    return { id, seen, shared };
  }

  @Get('mw/:id')
  async mw(@Param('id') id: string) {
    await barrier.wait();
    return { id, seen: (await this.m.memo.get('mw')) ?? null };
  }

  @Post('who/:id')
  async post(@Param('id') id: string, @Body() body: { size: number }) {
    await barrier.wait();
    return { id, seen: await this.m.memo.get('who'), size: body.size };
  }
}

@Module({
  imports: [
    CacheModule.forRoot({ prefix: 'scope', default: 'counting', stores: { counting: { driver: countingStore } } }),
  ],
  controllers: [ScopeController],
  providers: [Memo, WhoGuard],
})
class ScopeAppModule implements NestModule {
  /** A Nest middleware of the app that reads the memo (on Express it runs in the scope). */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(async (req: { originalUrl?: string; url?: string }, _res: unknown, next: () => void) => {
        const url = req.originalUrl ?? req.url ?? '';
        if (url.startsWith('/mw/')) await memoOf(appRef).set('mw', url);
        next();
      })
      .forRoutes('*');
  }
}

let appRef: INestApplication;
const memoOf = (app: INestApplication) => app.get(Memo).memo;

/** A body sent in chunks a few event-loop turns apart, so the server parses it across reads. */
function slowBody(size: number): ReadableStream<Uint8Array> {
  const text = JSON.stringify({ size, pad: 'x'.repeat(size) });
  return new ReadableStream({
    async start(controller) {
      const encoder = new TextEncoder();
      for (let i = 0; i < text.length; i += 16_384) {
        controller.enqueue(encoder.encode(text.slice(i, i + 16_384)));
        await new Promise((r) => setImmediate(r));
      }
      controller.close();
    },
  });
}

type Raw = {
  get(
    path: string,
    handler: (req: unknown, res: { send?: (b: unknown) => void; end?: (b: string) => void }) => unknown,
  ): unknown;
};

describe.each(['express', 'fastify'] as const)('the request memo scope on %s', (platform) => {
  let base: string;
  beforeEach(async () => {
    reads.length = 0;
    data.clear();
    const moduleRef = await Test.createTestingModule({ imports: [ScopeAppModule] }).compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    appRef = app;
    // A route on the framework itself, registered before the module installs its scope.
    const raw = app.getHttpAdapter().getInstance() as Raw;
    raw.get('/raw/:id', async (req, res) => {
      const id = (req as { params: { id: string } }).params.id;
      await memoOf(app).set('who', id);
      await barrier.wait();
      const body = JSON.stringify({ id, seen: await memoOf(app).get('who') });
      if (platform === 'fastify') return body;
      res.end?.(body);
      return undefined;
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => appRef.close());

  it('concurrent requests each see their own memo; reads within one request share it', async () => {
    data.set('scope:shared', 'one read');
    const ids = ['a', 'b', 'c', 'd', 'e'];
    barrier.reset(ids.length);
    const bodies = await Promise.all(ids.map(async (id) => (await fetch(`${base}/who/${id}`)).json()));
    expect(bodies).toEqual(ids.map((id) => ({ id, seen: id, shared: ['one read', 'one read'] })));
    // Each request read `shared` once from the store (its second read came from its own memo).
    expect(reads.filter((k) => k === 'scope:shared')).toHaveLength(ids.length);
    // The next request reads again: the memo does not outlive its request.
    barrier.reset(1);
    await fetch(`${base}/who/f`);
    expect(reads.filter((k) => k === 'scope:shared')).toHaveLength(ids.length + 1);
  });

  it('keeps the scope across a request body parsed over several reads', async () => {
    const ids = ['p1', 'p2', 'p3'];
    barrier.reset(ids.length);
    const bodies = await Promise.all(
      ids.map(async (id, i) => {
        const res = await fetch(`${base}/who/${id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: slowBody(100_000 + i),
          duplex: 'half',
        } as RequestInit);
        return res.json();
      }),
    );
    expect(bodies).toEqual(ids.map((id, i) => ({ id, seen: id, size: 100_000 + i })));
  });

  it(
    platform === 'express' ? 'Nest middleware run in the scope' : 'Nest middleware run before the scope opens',
    async () => {
      const ids = ['m1', 'm2', 'm3'];
      barrier.reset(ids.length);
      const bodies = await Promise.all(ids.map((id) => getJson(`${base}/mw/${id}`)));
      if (platform === 'express') expect(bodies).toEqual(ids.map((id) => ({ id, seen: `/mw/${id}` })));
      // Fastify runs Nest middleware in @fastify/middie's hook, which the adapter adds before any
      // module starts: a middleware's memo is the singleton's own, so every handler reads the store
      // (the last value written through it) instead of its middleware's memo.
      else expect(new Set(bodies.map((b) => b.seen)).size).toBe(1);
    },
  );
});

describe('the request memo scope, where it is not installed', () => {
  it('an application context without HTTP: memo() memoises for the object’s lifetime', async () => {
    const ctx = await NestFactory.createApplicationContext(ScopeAppModule, { logger: false });
    try {
      data.set('scope:k', 1);
      reads.length = 0;
      const memo = ctx.get(Memo).memo;
      expect([await memo.get('k'), await memo.get('k')]).toEqual([1, 1]);
      expect(reads).toEqual(['scope:k']);
    } finally {
      await ctx.close();
    }
  });

  it('an adapter it does not know is left to the Nest middleware (the function says false)', () => {
    const other = { getInstance: () => ({ use() {} }), getType: () => 'h3' };
    expect(openRequestMemoScopes(other as never)).toBe(false);
    expect(openRequestMemoScopes(undefined)).toBe(false);
  });
});

describe('the request memo scope on fastify, in plugins', () => {
  type Instance = { get(path: string, handler: (req: { params: { id: string } }) => Promise<string>): unknown };
  it.each([
    ['registered and awaited before init', true],
    ['registered before init', false],
  ])('routes of an encapsulated plugin %s run in the scope', async (_how, awaited) => {
    reads.length = 0;
    data.clear();
    const moduleRef = await Test.createTestingModule({ imports: [ScopeAppModule] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    appRef = app;
    const plugin = async (instance: Instance) => {
      instance.get('/plugin/:id', async (req) => {
        await memoOf(app).set('who', req.params.id);
        await barrier.wait();
        return JSON.stringify({ id: req.params.id, seen: await memoOf(app).get('who') });
      });
    };
    const registered = app.register(plugin as never);
    if (awaited) await registered;
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    try {
      const ids = ['q1', 'q2', 'q3'];
      barrier.reset(ids.length);
      const bodies = await Promise.all(ids.map((id) => getJson(`${url}/plugin/${id}`)));
      expect(bodies).toEqual(ids.map((id) => ({ id, seen: id })));
    } finally {
      await app.close();
    }
  });
});
