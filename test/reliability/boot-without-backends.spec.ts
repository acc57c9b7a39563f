/**
 * Start-up without backends (DESIGN "Configuration"): an unreachable Redis (single, Cluster,
 * Sentinel) or two-tier L2/bus never stops start-up by default; `requireOnStartup: true` does.
 * Real Nest apps over HTTP and real redis-server processes started after the app.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CacheConfigError,
  CacheService,
  CacheModule,
  CacheUnavailableError,
  createCacheManager,
  type CacheManager,
  type CacheStore,
  type StoreConfig,
} from '../../src';
import { CacheHealthIndicator } from '../../src/health';
import { freePort, RedisClusterHarness, RedisSentinelHarness, RedisServer } from '../support/redis-server';

interface Recorded {
  lines: string[];
  logger: { log(m: string): void; warn(m: string): void; error(m: string): void };
}
function recorder(): Recorded {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, logger: { log: push('log'), warn: push('warn'), error: push('error') } };
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let loads = 0;

@Controller()
class ProductsController {
  constructor(
    @Inject(CacheService) private readonly cache: CacheService,
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(CacheHealthIndicator) private readonly cacheHealth: CacheHealthIndicator,
  ) {}

  @Get('product')
  async product(): Promise<{ name: string }> {
    return this.cache.remember('product:1', 60, async () => {
      loads++;
      return { name: 'lamp' };
    });
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.cacheHealth.isHealthy('cache', { timeout: 500 })]);
  }
}

async function createApp(
  stores: Record<string, StoreConfig>,
  defaultStore: string,
  logger: Recorded['logger'],
): Promise<INestApplication> {
  @Module({
    imports: [TerminusModule, CacheModule.forRoot({ prefix: 'boot', default: defaultStore, stores, logger })],
    providers: [CacheHealthIndicator],
    controllers: [ProductsController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const apps: INestApplication[] = [];
const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('a Nest app whose Redis is unreachable at boot', () => {
  it('starts, serves (misses, loader runs), /health is 503 naming the store, and uses Redis once it is up', async () => {
    const port = await freePort();
    const rec = recorder();
    const app = await createApp(
      { redis: { driver: 'redis', url: `redis://app:s3cret@127.0.0.1:${port}` } },
      'redis',
      rec.logger,
    );
    apps.push(app);
    loads = 0;

    // One warning naming the store and the address, credentials masked.
    const warnings = rec.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Cache store "redis" cannot connect to Redis at redis://app:***@127.0.0.1:');
    expect(warnings[0]).toContain(String(port));
    expect(rec.lines.join('\n')).not.toContain('s3cret');

    const http = request(app.getHttpServer());
    for (let i = 0; i < 3; i++) expect((await http.get('/product').expect(200)).body).toEqual({ name: 'lamp' });
    expect(loads).toBe(3);
    const down = await http.get('/health').expect(503);
    expect(down.body.error.cache.stores.redis.status).toBe('down');
    expect(down.body.error.cache.message).toContain('Cache store "redis"');
    expect(JSON.stringify(down.body)).not.toMatch(/Stream isn't writeable|enableOfflineQueue|s3cret/);

    // Redis comes up on that port (no password there: the URL's user is set up first).
    const server = await RedisServer.start({ port, args: ['--user', 'app', 'on', '>s3cret', '~*', '&*', '+@all'] });
    servers.push(server);
    await eventually('the store to connect', async () => (await http.get('/health')).status === 200);
    expect(rec.lines.filter((l) => l.startsWith('log'))).toEqual([
      expect.stringMatching(/^log Cache store "redis" connected to Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:\d+$/),
    ]);
    loads = 0;
    await http.get('/product').expect(200);
    await http.get('/product').expect(200);
    expect(loads).toBe(1);
    const keys = await server.cli('--user', 'app', '--pass', 's3cret', '--no-auth-warning', 'keys', 'boot:*');
    expect(keys.trim()).toBe('boot:product:1');
  }, 60_000);

  it('with requireOnStartup, start-up fails within connectTimeout with a CacheUnavailableError naming the store', async () => {
    const port = await freePort();
    const rec = recorder();
    const err = await createApp(
      {
        redis: {
          driver: 'redis',
          url: `redis://app:s3cret@127.0.0.1:${port}`,
          requireOnStartup: true,
          connectTimeout: '600ms',
        },
      },
      'redis',
      rec.logger,
    ).then(
      (app) => (apps.push(app), undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as CacheUnavailableError).store).toBe('redis');
    expect((err as Error).message).toMatch(
      /^Cache store "redis" is unavailable \(connect to redis:\/\/app:\*\*\*@127\.0\.0\.1:\d+\): no connection within 600 ms \(requireOnStartup\): connect ECONNREFUSED/,
    );
    expect(`${String(err)} ${rec.lines.join(' ')}`).not.toContain('s3cret');
  }, 30_000);

  it('with requireOnStartup, start-up waits for a Redis that comes up within connectTimeout', async () => {
    const port = await freePort();
    const m = createCacheManager({
      logger: recorder().logger,
      stores: {
        r: { driver: 'redis', url: `redis://127.0.0.1:${port}`, requireOnStartup: true, connectTimeout: '20s' },
      },
    });
    try {
      const ready = m.ready();
      await new Promise((r) => setTimeout(r, 300));
      servers.push(await RedisServer.start({ port }));
      await ready;
      expect(await m.default.set('k', 'v')).toBe(true);
    } finally {
      await m.close();
    }
  }, 30_000);
});

describe('a two-tier store whose L2 and bus are unreachable at boot', () => {
  it('starts, serves from the loader, reports the store, and becomes coherent once Redis is up', async () => {
    const port = await freePort();
    const stores: Record<string, StoreConfig> = {
      mem: { driver: 'memory' },
      redis: { driver: 'redis', url: `redis://127.0.0.1:${port}` },
      near: { driver: 'tiered', tiers: ['mem', 'redis'] },
    };
    const rec = recorder();
    const a = await createApp(stores, 'near', rec.logger);
    apps.push(a);
    const b = await createApp(stores, 'near', recorder().logger);
    apps.push(b);
    loads = 0;
    const warnings = rec.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toEqual([
      expect.stringContaining(`Cache store "redis" cannot connect to Redis at redis://127.0.0.1:${port}`),
      expect.stringContaining(`Cache store "near": invalidation bus at redis://127.0.0.1:${port} not connected`),
    ]);
    await request(a.getHttpServer()).get('/product').expect(200);
    expect(loads).toBe(1);
    const health = await request(a.getHttpServer()).get('/health').expect(503);
    expect(health.body.error.cache.stores.redis.status).toBe('down');
    expect(health.body.error.cache.stores.near).toMatchObject({ status: 'degraded' });

    servers.push(await RedisServer.start({ port }));
    await eventually('both apps to be healthy', async () => {
      const [ha, hb] = await Promise.all([a, b].map((app) => request(app.getHttpServer()).get('/health')));
      return ha.status === 200 && hb.status === 200 && ha.body.details.cache.stores.near.status === 'up';
    });
    expect(rec.lines).toContainEqual(
      expect.stringMatching(/^log Cache store "near": invalidation bus at .* connected/),
    );

    // The bus now works: a write in app a drops app b's L1 copy.
    const ca = a.get(CacheService);
    const cb = b.get(CacheService);
    await ca.set('shared', 'v1');
    expect(await cb.get('shared')).toBe('v1');
    await ca.set('shared', 'v2');
    await eventually('b to see the new value', async () => (await cb.get('shared')) === 'v2', 5000);
  }, 60_000);

  it('with requireOnStartup on the two-tier store, start-up fails naming it', async () => {
    const port = await freePort();
    const err = await createApp(
      {
        mem: { driver: 'memory' },
        redis: { driver: 'redis', url: `redis://127.0.0.1:${port}` },
        near: { driver: 'tiered', tiers: ['mem', 'redis'], requireOnStartup: true, connectTimeout: '500ms' },
      },
      'near',
      recorder().logger,
    ).then(
      (app) => (apps.push(app), undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as CacheUnavailableError).store).toBe('near');
    expect((err as Error).message).toMatch(/^Cache store "near" is unavailable \(start\): L2 did not answer/);
    expect((err as Error).message).toContain(`the invalidation bus at redis://127.0.0.1:${port} is not subscribed`);
    expect((err as Error).message).toContain('within 500 ms (requireOnStartup)');
  }, 30_000);
});

describe('Cluster and Sentinel unreachable at boot', () => {
  async function manager(store: StoreConfig, rec = recorder()): Promise<CacheManager> {
    const m = createCacheManager({ prefix: 'boot', logger: rec.logger, stores: { r: store } });
    await m.ready();
    return m;
  }

  it('a Cluster whose nodes are all down: starts, fails open, and works once the nodes are back', async () => {
    const cluster = await RedisClusterHarness.start();
    servers.push(cluster);
    await Promise.all(cluster.servers.map((s) => s.kill()));
    const rec = recorder();
    const m = await manager({ driver: 'redis', cluster: { nodes: cluster.nodes } }, rec);
    try {
      expect(rec.lines.filter((l) => l.startsWith('warn'))).toEqual([
        expect.stringMatching(
          /^warn Cache store "r" cannot connect to Redis at cluster 127\.0\.0\.1:\d+, .*\(no cluster node answers\)/,
        ),
      ]);
      expect(await m.default.remember('k', 60, () => 'loaded')).toBe('loaded');
      expect((await m.health()).r.status).toBe('down');
      await Promise.all(cluster.servers.map((s) => s.restart()));
      await eventually('the cluster store to write', () => m.default.set('k', 'v'), 30_000);
      expect(await m.default.get('k')).toBe('v');
      expect(rec.lines).toContainEqual(expect.stringMatching(/^log Cache store "r" connected to Redis at cluster/));
    } finally {
      await m.close();
    }
    const strict = createCacheManager({
      logger: recorder().logger,
      stores: {
        r: {
          driver: 'redis',
          cluster: { nodes: [{ host: '127.0.0.1', port: await freePort() }] },
          requireOnStartup: true,
          connectTimeout: '500ms',
        },
      },
    });
    const err = await strict.ready().catch((e: unknown) => e);
    await strict.close();
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as Error).message).toMatch(
      /^Cache store "r" is unavailable \(connect to cluster 127\.0\.0\.1:\d+\): no connection within 500 ms/,
    );
  }, 90_000);

  it('a Sentinel that is down: starts, fails open, and works once the sentinel is back', async () => {
    const setup = await RedisSentinelHarness.start();
    servers.push(setup);
    await setup.sentinel.kill();
    const rec = recorder();
    const sentinel = { sentinels: setup.sentinels, name: RedisSentinelHarness.masterName };
    const m = await manager({ driver: 'redis', sentinel }, rec);
    try {
      expect(rec.lines.filter((l) => l.startsWith('warn'))).toEqual([
        expect.stringContaining(
          `Cache store "r" cannot connect to Redis at sentinel master "${sentinel.name}" via 127.0.0.1:${setup.sentinel.port} (no sentinel answers)`,
        ),
      ]);
      expect(await m.default.get('k', 'fallback')).toBe('fallback');
      expect((await m.health()).r.status).toBe('down');
      await setup.sentinel.restart();
      await eventually('the sentinel store to write', () => m.default.set('k', 'v'), 30_000);
      expect(await m.default.get('k')).toBe('v');
    } finally {
      await m.close();
    }
    const strict = createCacheManager({
      logger: recorder().logger,
      stores: {
        r: {
          driver: 'redis',
          sentinel: { ...sentinel, sentinels: [{ host: '127.0.0.1', port: await freePort() }] },
          requireOnStartup: true,
          connectTimeout: '500ms',
        },
      },
    });
    const err = await strict.ready().catch((e: unknown) => e);
    await strict.close();
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect((err as Error).message).toContain('Cache store "r" is unavailable (connect to sentinel master');
    expect((err as Error).message).toContain('no sentinel answers');
  }, 90_000);
});

describe('start-up options', () => {
  it('are validated naming the store and field', () => {
    const make = (store: Record<string, unknown>) => () =>
      createCacheManager({ stores: { r: { driver: 'redis', url: 'redis://127.0.0.1:1', ...store } as StoreConfig } });
    expect(make({ requireOnStartup: true, lazyConnect: true })).toThrow(
      'stores.r: requireOnStartup waits for Redis at start-up, lazyConnect defers connecting: choose one',
    );
    expect(make({ connectTimeout: 'soon' })).toThrow(
      `Invalid stores.r.connectTimeout: "soon". Expected a duration such as '500ms', '30s', '10m', '1h' or '7d'`,
    );
    expect(make({ connectTimeout: 0 })).toThrow(CacheConfigError);
    // A timeout is not a TTL: the messages say neither 'TTL' nor forever().
    expect(make({ connectTimeout: 0 })).toThrow(
      `Invalid stores.r.connectTimeout: 0. Expected a positive number of seconds or a duration such as '30s' or '10m'`,
    );
    // Beyond 2^31 - 1 ms Node fires a timer after 1 ms: such a timeout would fail every command.
    expect(make({ connectTimeout: '30d' })).toThrow(
      `Invalid stores.r.connectTimeout: 30d. At most 2147483647 ms (about 24.8 days, the longest a timer can wait)`,
    );
    expect(make({ timeout: 30 * 86_400_000 })).toThrow(
      'stores.r.timeout must be at most 2147483647 ms (about 24.8 days, the longest a timer can wait)',
    );
    expect(make({ connectTimeout: Infinity })).toThrow(
      `Invalid stores.r.connectTimeout: Infinity. Expected a finite number of seconds or a duration such as '30s'`,
    );
    expect(make({ requireOnStartup: 'yes' })).toThrow('stores.r.requireOnStartup must be a boolean, got "yes"');
    expect(make({ url: 'http://127.0.0.1:6379' })).toThrow(
      'stores.r.url must be a redis:// URL (rediss:// for TLS), got "http://127.0.0.1:6379"',
    );
    const tiered = () =>
      createCacheManager({
        stores: {
          mem: { driver: 'memory' },
          near: { driver: 'tiered', tiers: ['mem', 'mem2'], bus: false },
          mem2: { driver: 'memory' },
          bad: { driver: 'tiered', tiers: ['mem', 'mem2'], bus: false, connectTimeout: '10 minutes' },
        },
      });
    expect(tiered).toThrow(`Invalid stores.bad.connectTimeout: "10 minutes". Expected a duration such as '500ms'`);
  });

  it('a custom store whose init fails with its own typed error fails start-up with that error', async () => {
    const store: CacheStore & { init(): Promise<void> } = {
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => false,
      clear: async () => undefined,
      init: async () => {
        throw new CacheUnavailableError('mine', 'connect', new Error('refused'));
      },
    };
    const m = createCacheManager({ stores: { mine: { driver: store } } });
    await expect(m.ready()).rejects.toThrow('Cache store "mine" is unavailable (connect): refused');
  });
});
