/**
 * Session middleware (express-session through on-headers, Fastify session plugins in onSend)
 * adds `Set-Cookie` after the handler returned, when the headers leave. Such a response is
 * session-bound: it must never be stored and replayed to another visitor. And a miss holds its
 * response's end until its entry is stored, so the request after a MISS is a HIT.
 */
import { Controller, Get, Headers, Module, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { Cacheable, CacheModule, type CacheStore } from '../../../src';
import type { Platform } from '../../fixtures/decorators/http.fixture';

let runs = 0;

@Controller()
class SessionController {
  @Get('visit')
  @Cacheable({ ttl: 60 })
  visit(@Headers('x-session') session: string) {
    runs++;
    return { session };
  }

  @Get('plain')
  @Cacheable({ ttl: 60 })
  plain() {
    runs++;
    return { n: runs };
  }

  @Get('slow-store')
  @Cacheable({ ttl: 60, store: 'slow' })
  slowStore() {
    runs++;
    return { n: runs };
  }
}

/** A memory-like store whose writes land 50 ms after they are asked for. */
const slowData = new Map<string, unknown>();
function slowWritingStore(): CacheStore {
  const data = slowData;
  return {
    get: async (k) => data.get(k),
    set: (k, v) => new Promise<void>((resolve) => setTimeout(() => (data.set(k, v), resolve()), 50)),
    delete: async (k) => data.delete(k),
    clear: async () => data.clear(),
  };
}

@Module({
  imports: [
    CacheModule.forRoot({
      prefix: 'leaving',
      stores: { memory: { driver: 'memory' }, slow: { driver: slowWritingStore() } },
    }),
  ],
  controllers: [SessionController],
})
class SessionAppModule {}

async function boot(platform: Platform): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [SessionAppModule] }).compile();
  let sessions = 0;
  if (platform === 'express') {
    const app = moduleRef.createNestApplication({ logger: false });
    // What express-session does through on-headers: the cookie is added as the headers leave.
    app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      if (req.url?.startsWith('/visit')) {
        const id = `s${++sessions}`;
        req.headers['x-session'] = id;
        const writeHead = res.writeHead;
        res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
          this.setHeader('Set-Cookie', `sid=${id}; Path=/; HttpOnly`);
          return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
        } as ServerResponse['writeHead'];
      }
      next();
    });
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook(name: string, fn: (...args: never[]) => unknown): void;
    ready(): Promise<unknown>;
  };
  // What Fastify session plugins do: the cookie is set in onSend, after the handler returned.
  fastify.addHook('onRequest', (async (req: { url: string; headers: Record<string, string> }) => {
    if (req.url.startsWith('/visit')) req.headers['x-session'] = `s${++sessions}`;
  }) as never);
  fastify.addHook('onSend', (async (
    req: { url: string; headers: Record<string, string> },
    reply: { header(n: string, v: string): void },
    payload: unknown,
  ) => {
    if (req.url.startsWith('/visit')) reply.header('set-cookie', `sid=${req.headers['x-session']}; Path=/`);
    return payload;
  }) as never);
  await app.init();
  await fastify.ready();
  return app;
}

describe.each<Platform>(['express', 'fastify'])('HTTP cache: headers as they leave, on %s', (platform) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    runs = 0;
    slowData.clear();
    app = await boot(platform);
  });
  afterEach(async () => {
    await app.close();
  });

  it('never replays a response whose Set-Cookie was added after the handler returned', async () => {
    const first = await http().get('/visit').expect(200);
    expect(first.headers['set-cookie']?.[0]).toMatch(/^sid=s1/);
    expect(first.body).toEqual({ session: 's1' });
    const second = await http().get('/visit').expect(200);
    expect(second.headers['x-cache']).not.toBe('HIT');
    expect(second.body).toEqual({ session: 's2' });
    expect(second.headers['set-cookie']?.[0]).toMatch(/^sid=s2/);
    expect(runs).toBe(2);
  });

  it('concurrent visitors waiting on one run each get their own session, not the runner’s', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => http().get('/visit').expect(200)));
    const sessions = answers.map((a) => (a.body as { session: string }).session);
    expect(new Set(sessions).size).toBe(5);
    for (const a of answers)
      expect(a.headers['set-cookie']?.[0]).toBe(
        `sid=${(a.body as { session: string }).session}; Path=/${platform === 'express' ? '; HttpOnly' : ''}`,
      );
  });

  it('still caches responses that set no cookie', async () => {
    const first = await http().get('/plain').expect(200);
    const second = await http().get('/plain').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(runs).toBe(1);
  });

  it('a MISS ends only once its entry is stored: the next request is a HIT even on a slow store', async () => {
    const first = await http().get('/slow-store').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await http().get('/slow-store').expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(runs).toBe(1);
  });
});
