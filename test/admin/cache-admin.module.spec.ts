import { randomUUID } from 'node:crypto';
import { Agent, get as httpGet } from 'node:http';
import {
  Injectable,
  Logger,
  Module,
  type LoggerService,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheManager, CacheModule } from '../../src';
import { CacheAdminModule, type CacheAdminOptions } from '../../src/admin';

const TOKEN = 'test-admin-token';

/** Accepts `Authorization: Bearer <TOKEN>` and puts a user on the request, as an auth guard would. */
@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return false;
    req.user = { username: 'ops-alice' };
    return true;
  }
}

const auth = { Authorization: `Bearer ${TOKEN}` };

async function createApp(
  admin: Partial<CacheAdminOptions>,
  platform: 'express' | 'fastify' = 'express',
  prefix?: string,
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  @Module({
    imports: [
      CacheModule.forRoot({
        isGlobal: true,
        prefix: `admin-${randomUUID()}`,
        default: 'mem',
        stores: {
          mem: { driver: 'memory' },
          other: { driver: 'memory' },
          redis: { driver: 'redis', url: 'redis://127.0.0.1:6379' },
        },
      }),
      CacheAdminModule.forRoot({ guards: [BearerGuard], ...admin }),
    ],
  })
  class AppModule {}
  const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app =
    platform === 'fastify'
      ? ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger })
      : ref.createNestApplication({ logger });
  if (prefix) app.setGlobalPrefix(prefix);
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** Reads server-sent events until `count` messages arrived, then disconnects. */
function readEvents(
  app: INestApplication,
  path: string,
  count: number,
): Promise<{ at: number; stores: { name: string; stats: { hits: number } }[] }[]> {
  return new Promise((resolve, reject) => {
    const server = app.getHttpServer();
    const listening = server.listening ? Promise.resolve() : new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    void listening.then(() => {
      const { port } = server.address() as { port: number };
      const req = httpGet({ host: '127.0.0.1', port, path, headers: auth, agent: false }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let buffer = '';
        const events: { at: number; stores: { name: string; stats: { hits: number } }[] }[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim())
              .join('\n');
            if (data) events.push(JSON.parse(data));
            if (events.length === count) {
              req.destroy();
              resolve(events);
            }
          }
        });
      });
      req.on('error', (err) => {
        if (!(err as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(err);
      });
    });
  });
}

describe.each(['express', 'fastify'] as const)('CacheAdminModule on %s', (platform) => {
  let app: INestApplication;
  let manager: CacheManager;
  const logs: string[] = [];

  beforeAll(async () => {
    app = await createApp({}, platform, 'api/v1');
    Logger.overrideLogger({ log: (m: string) => void logs.push(m), warn: () => undefined, error: () => undefined });
    manager = app.get(CacheManager);
  });
  afterAll(async () => {
    Logger.overrideLogger(false);
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('refuses every route without the guard, the page included', async () => {
    for (const [method, path] of [
      ['get', '/api/v1/_cache'],
      ['get', '/api/v1/_cache/api/stores'],
      ['get', '/api/v1/_cache/api/stores/mem/keys/a'],
      ['delete', '/api/v1/_cache/api/stores/mem/keys/a'],
      ['post', '/api/v1/_cache/api/stores/mem/tags/t/flush'],
      ['post', '/api/v1/_cache/api/stores/mem/clear'],
      ['get', '/api/v1/_cache/api/stream'],
    ] as const) {
      await http()[method](path).expect(403);
      await http()[method](path).set('Authorization', 'Bearer wrong').expect(403);
    }
  });

  it('serves the page behind the global prefix, self-contained, with a strict CSP', async () => {
    const res = await http().get('/api/v1/_cache').set(auth).expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('<script>');
    expect(res.text).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|(src|href)=["']?https?:/);
    expect(res.text.replace('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
  });

  it('lists every store with driver, default, health and stats', async () => {
    await manager.store('mem').set('a', 1);
    await manager.store('mem').get('a');
    const { body } = await http().get('/api/v1/_cache/api/stores').set(auth).expect(200);
    expect(body.readOnly).toBe(false);
    expect(body.stores.map((s: { name: string }) => s.name)).toEqual(['mem', 'other', 'redis']);
    const mem = body.stores[0];
    expect(mem).toMatchObject({ name: 'mem', driver: 'memory', default: true, health: { status: 'up' } });
    expect(mem.stats.hits).toBeGreaterThanOrEqual(1);
    expect(body.stores[2]).toMatchObject({ driver: 'redis', default: false, health: { status: 'up' } });
  });

  it('looks keys up: ttl in seconds or null, tags, bytes, never the value; a missing key is 200 exists:false', async () => {
    for (const store of ['mem', 'redis']) {
      const cache = manager.store(store);
      await cache.tags(['users', 'team:<b>']).set('user/1 <script>alert(1)</script>', { secret: 'pii' }, 120);
      await cache.forever('forever', 'x');
      const key = encodeURIComponent('user/1 <script>alert(1)</script>');
      const { body } = await http().get(`/api/v1/_cache/api/stores/${store}/keys/${key}`).set(auth).expect(200);
      expect(body.exists).toBe(true);
      expect(body.ttl).toBeGreaterThan(100);
      expect(body.ttl).toBeLessThanOrEqual(120);
      expect(body.tags.sort()).toEqual(['team:<b>', 'users']);
      expect(body.bytes).toBeGreaterThan(0);
      expect(body).not.toHaveProperty('value');
      expect(JSON.stringify(body)).not.toContain('pii');
      const never = await http().get(`/api/v1/_cache/api/stores/${store}/keys/forever`).set(auth).expect(200);
      expect(never.body).toMatchObject({ exists: true, ttl: null, tags: [] });
      const missing = await http().get(`/api/v1/_cache/api/stores/${store}/keys/nope`).set(auth).expect(200);
      expect(missing.body).toEqual({ exists: false });
    }
    await http().get('/api/v1/_cache/api/stores/unknown/keys/a').set(auth).expect(404);
  });

  it('evicts a key, flushes a tag and clears a store, each written to the audit log with the user', async () => {
    const cache = manager.store('other');
    await cache.set('k', 1);
    await cache.tags(['t']).set('tagged', 1);
    await cache.set('left', 1);
    const evicted = await http().delete('/api/v1/_cache/api/stores/other/keys/k').set(auth).expect(200);
    expect(evicted.body).toEqual({ deleted: true });
    expect(await cache.has('k')).toBe(false);
    await http().post('/api/v1/_cache/api/stores/other/tags/t/flush').set(auth).expect(200, { flushed: true });
    expect(await cache.has('tagged')).toBe(false);
    expect(await cache.has('left')).toBe(true);
    await http().post('/api/v1/_cache/api/stores/other/clear').set(auth).expect(200, { cleared: true });
    expect(await cache.has('left')).toBe(false);
    expect(await manager.store('mem').has('a')).toBe(true);
    expect(logs).toEqual(
      expect.arrayContaining([
        'evict on store "other" key "k" by "ops-alice"',
        'flush on store "other" tag "t" by "ops-alice"',
        'clear on store "other" by "ops-alice"',
      ]),
    );
  });

  it('streams per-store stats once a second over SSE, and the stream ends on disconnect', async () => {
    const events = await readEvents(app, '/api/v1/_cache/api/stream', 2);
    expect(events[0].stores.map((s) => s.name)).toEqual(['mem', 'other', 'redis']);
    expect(events[1].at - events[0].at).toBeGreaterThanOrEqual(500);
  });
});

describe('CacheAdminModule options', () => {
  it('answers 403 to every write in read-only mode, and shows values only with exposeValues', async () => {
    const app = await createApp({ readOnly: true, exposeValues: true, path: 'ops/cache' });
    try {
      const manager = app.get(CacheManager);
      await manager.store('mem').set('k', { v: 1 });
      const http = () => request(app.getHttpServer());
      await http().delete('/ops/cache/api/stores/mem/keys/k').set(auth).expect(403);
      await http().post('/ops/cache/api/stores/mem/tags/t/flush').set(auth).expect(403);
      await http().post('/ops/cache/api/stores/mem/clear').set(auth).expect(403);
      expect(await manager.store('mem').get('k')).toEqual({ v: 1 });
      const { body } = await http().get('/ops/cache/api/stores/mem/keys/k').set(auth).expect(200);
      expect(body.value).toEqual({ v: 1 });
      expect((await http().get('/ops/cache/api/stores').set(auth)).body.readOnly).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('closes open streams at shutdown instead of hanging', async () => {
    const app = await createApp({});
    const server = app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const ended = new Promise<void>((resolve) => {
      httpGet({ host: '127.0.0.1', port, path: '/_cache/api/stream', headers: auth, agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('close', resolve);
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    await app.close();
    await ended;
  });

  it.each(['express', 'fastify'] as const)(
    'closes a keep-alive stream connection at shutdown, as browsers keep theirs (%s)',
    async (platform) => {
      const app = await createApp({}, platform);
      if (platform === 'fastify') await app.init();
      const server = app.getHttpServer() as import('node:http').Server;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      // A server that waited for idle keep-alive connections would hang past the test's timeout.
      server.keepAliveTimeout = 10 * 60_000;
      const { port } = server.address() as { port: number };
      const agent = new Agent({ keepAlive: true });
      try {
        const socket = await new Promise<import('node:net').Socket>((resolve) => {
          httpGet({ host: '127.0.0.1', port, path: '/_cache/api/stream', headers: auth, agent }, (res) => {
            res.once('data', () => resolve(res.socket));
            res.resume();
          });
        });
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        await app.close();
        await closed;
        expect(socket.destroyed).toBe(true);
      } finally {
        agent.destroy();
      }
    },
  );

  it('requires guards; an empty list only with allowUnguarded, which warns', async () => {
    expect(() => CacheAdminModule.forRoot({} as CacheAdminOptions)).toThrow(/"guards" is required/);
    expect(() => CacheAdminModule.forRoot({ guards: [] })).toThrow(/"guards" is empty/);
    expect(() => CacheAdminModule.forRoot({ guards: [BearerGuard], readonly: true } as never)).toThrow(
      /"readonly" is not a known option/,
    );
    const warnings: string[] = [];
    const logger = { log: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
    const app = await createApp({ guards: [], allowUnguarded: true }, 'express', undefined, logger);
    try {
      expect(warnings.join('\n')).toMatch(/UNGUARDED/);
      await request(app.getHttpServer()).get('/_cache/api/stores').expect(200);
    } finally {
      await app.close();
    }
  });

  it('stores named like Object.prototype members are listed, looked up and cleared; unconfigured, a 404', async () => {
    const stores: Record<string, { driver: 'memory' }> = {};
    for (const name of ['__proto__', 'toString', 'constructor']) {
      Object.defineProperty(stores, name, { value: { driver: 'memory' }, enumerable: true });
    }
    @Module({
      imports: [
        CacheModule.forRoot({ isGlobal: true, stores }),
        CacheAdminModule.forRoot({ guards: [BearerGuard], exposeValues: true }),
      ],
    })
    class ProtoNamesModule {}
    const ref = await Test.createTestingModule({ imports: [ProtoNamesModule] }).compile();
    const app = ref.createNestApplication({ logger: false });
    await app.init();
    try {
      const m = app.get(CacheManager);
      for (const name of m.stores()) await m.store(name).tags('t').set('k', name);
      const http = () => request(app.getHttpServer());
      const list = (await http().get('/_cache/api/stores').set(auth).expect(200)).body as {
        stores: { name: string; health: { status: string }; stats: { writes: number } }[];
      };
      expect(list.stores.map((s) => [s.name, s.health.status, s.stats.writes])).toEqual([
        ['__proto__', 'up', 1],
        ['toString', 'up', 1],
        ['constructor', 'up', 1],
      ]);
      for (const name of ['__proto__', 'toString', 'constructor']) {
        const found = await http().get(`/_cache/api/stores/${name}/keys/k`).set(auth).expect(200);
        expect(found.body).toMatchObject({ exists: true, value: name, tags: ['t'] });
      }
      for (const name of ['hasOwnProperty', 'valueOf']) {
        const missing = await http().get(`/_cache/api/stores/${name}/keys/k`).set(auth).expect(404);
        expect(missing.body.message).toContain(`Unknown cache store "${name}"`);
      }
      await http().post('/_cache/api/stores/toString/clear').set(auth).expect(200);
      expect(await m.store('toString').get('k')).toBeUndefined();
      expect(await m.store('__proto__').get('k')).toBe('__proto__');
    } finally {
      await app.close();
    }
  });
});
