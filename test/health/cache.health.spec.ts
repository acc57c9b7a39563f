import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheManager, CacheModule, createCacheManager, type CacheStore, type StoreHealthDetail } from '../../src';
import { CacheHealthIndicator } from '../../src/health';
import { RedisServer } from '../support/redis-server';

/** A small two-tier stand-in (the real tiered store is issue 9): L1 in a Map, L2 switchable. */
class TwoTierStore implements CacheStore {
  l2Down = false;
  private readonly l1 = new Map<string, unknown>();
  async get(key: string) {
    return this.l1.get(key);
  }
  async set(key: string, value: unknown) {
    this.l1.set(key, value);
  }
  async delete(key: string) {
    return this.l1.delete(key);
  }
  async clear() {
    this.l1.clear();
  }
  async healthDetail(): Promise<StoreHealthDetail> {
    if (!this.l2Down) return { status: 'up', parts: { l1: { status: 'up' }, l2: { status: 'up' } } };
    return {
      status: 'degraded',
      error: 'L2 "redis" is down; serving from L1',
      parts: { l1: { status: 'up' }, l2: { status: 'down', error: 'connection refused' } },
    };
  }
}

/** A store whose ping fails with a message carrying a password, or never answers. */
class SwitchableStore implements CacheStore {
  mode: 'up' | 'down' | 'hang' = 'up';
  async get() {
    return undefined;
  }
  async set() {}
  async delete() {
    return false;
  }
  async clear() {}
  ping(): Promise<void> {
    if (this.mode === 'hang') return new Promise(() => undefined);
    if (this.mode === 'down')
      return Promise.reject(new Error('cannot reach redis://app:s3cret@10.0.0.5:6379 (password=s3cret)'));
    return Promise.resolve();
  }
}

@Controller()
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(CacheHealthIndicator) private readonly cacheHealth: CacheHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.cacheHealth.isHealthy('cache', { timeout: 500 })]);
  }

  @Get('health/memory')
  @HealthCheck()
  memoryOnly() {
    return this.health.check([() => this.cacheHealth.isHealthy('memoryCache', { stores: ['memory'] })]);
  }
}

async function createApp(stores: Record<string, object>): Promise<INestApplication> {
  @Module({
    imports: [TerminusModule, CacheModule.forRoot({ stores: stores as never })],
    providers: [CacheHealthIndicator],
    controllers: [HealthController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('CacheHealthIndicator over HTTP (/health)', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('200 naming every store with status and latency when all are up', async () => {
    app = await createApp({ memory: { driver: 'memory' }, near: { driver: new TwoTierStore() } });
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    const cache = res.body.details.cache;
    expect(cache.status).toBe('up');
    expect(Object.keys(cache.stores)).toEqual(['memory', 'near']);
    for (const store of Object.values(cache.stores) as { status: string; latencyMs: number }[]) {
      expect(store.status).toBe('up');
      expect(typeof store.latencyMs).toBe('number');
    }
  });

  it('503 naming the store that is down and why, without its password', async () => {
    const flaky = new SwitchableStore();
    flaky.mode = 'down';
    app = await createApp({ memory: { driver: 'memory' }, flaky: { driver: flaky } });
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.status).toBe('error');
    const cache = res.body.error.cache;
    expect(cache.status).toBe('down');
    expect(cache.message).toMatch(/^Cache store "flaky" \(cannot reach redis:\/\/app:\*\*\*@10\.0\.0\.5:6379/);
    expect(cache.stores.flaky).toMatchObject({ status: 'down', error: expect.stringContaining('password=***') });
    expect(cache.stores.memory.status).toBe('up');
    expect(JSON.stringify(res.body)).not.toContain('s3cret');
  });

  it('a store that does not answer is down after the timeout; the check still answers', async () => {
    const slow = new SwitchableStore();
    slow.mode = 'hang';
    app = await createApp({ memory: { driver: 'memory' }, slow: { driver: slow } });
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.error.cache.stores.slow).toMatchObject({ status: 'down', error: 'no answer within 500 ms' });
  });

  it('checks only the stores asked for, under its own key', async () => {
    const flaky = new SwitchableStore();
    flaky.mode = 'down';
    app = await createApp({ memory: { driver: 'memory' }, flaky: { driver: flaky } });
    const res = await request(app.getHttpServer()).get('/health/memory').expect(200);
    expect(Object.keys(res.body.details.memoryCache.stores)).toEqual(['memory']);
  });

  it('degraded (still 200) for a two-tier store whose L2 is down', async () => {
    const near = new TwoTierStore();
    app = await createApp({ memory: { driver: 'memory' }, near: { driver: near } });
    near.l2Down = true;
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.details.cache).toMatchObject({
      status: 'degraded',
      message: 'Cache store "near" (L2 "redis" is down; serving from L1) is degraded',
      stores: { near: { status: 'degraded' }, memory: { status: 'up' } },
    });
    near.l2Down = false;
    await request(app.getHttpServer())
      .get('/health')
      .expect(200, /"status":"ok"/);
  });
});

describe('CacheHealthIndicator with a real Redis store', () => {
  let redis: RedisServer;
  let app: INestApplication;

  beforeAll(async () => {
    redis = await RedisServer.start();
    app = await createApp({
      memory: { driver: 'memory' },
      redis: { driver: 'redis', url: redis.url, timeout: 300 },
    });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('200 with memory and Redis up, 503 naming Redis when its server stops, 200 after it restarts', async () => {
    const up = await request(app.getHttpServer()).get('/health').expect(200);
    expect(up.body.details.cache.stores).toMatchObject({ memory: { status: 'up' }, redis: { status: 'up' } });

    await redis.kill();
    const down = await request(app.getHttpServer()).get('/health').expect(503);
    expect(down.body.error.cache.status).toBe('down');
    expect(down.body.error.cache.message).toMatch(/^Cache store "redis" /);
    expect(down.body.error.cache.stores.redis.status).toBe('down');
    expect(down.body.error.cache.stores.memory.status).toBe('up');

    await redis.restart();
    // ioredis reconnects on its own; give it a bounded number of tries.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await request(app.getHttpServer()).get('/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});

describe('CacheHealthIndicator never throws', () => {
  it('reports down for a store that is not configured, and for an invalid timeout', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule, CacheModule.forRoot()],
      providers: [CacheHealthIndicator],
    }).compile();
    const indicator = moduleRef.get(CacheHealthIndicator);
    await expect(indicator.isHealthy('cache', { stores: ['nope'] })).resolves.toMatchObject({
      cache: { status: 'down', stores: { nope: { status: 'down', error: 'not configured. Known stores: memory' } } },
    });
    await expect(indicator.isHealthy('cache', { timeout: -1 })).resolves.toEqual({
      cache: {
        status: 'down',
        message: "isHealthy(): timeout must be a positive number of ms or a duration such as '2s', got -1",
      },
    });
    expect(await indicator.isHealthy()).toMatchObject({ cache: { status: 'up' } });
    await moduleRef.close();
  });

  it.each([
    ['soon', `a positive number of ms or a duration such as '2s', got "soon"`],
    [0, `a positive number of ms or a duration such as '2s', got 0`],
    ['0ms', `a positive number of ms or a duration such as '2s', got "0ms"`],
    [true, `a positive number of ms or a duration such as '2s', got true`],
    ['30d', 'at most 2147483647 ms (about 24.8 days, the longest a timer can wait), got "30d"'],
  ])('a timeout of %p is down naming the option, never a throw', async (timeout, message) => {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule, CacheModule.forRoot()],
      providers: [CacheHealthIndicator],
    }).compile();
    const indicator = moduleRef.get(CacheHealthIndicator);
    await expect(indicator.isHealthy('cache', { timeout: timeout as never })).resolves.toEqual({
      cache: { status: 'down', message: `isHealthy(): timeout must be ${message}` },
    });
    await moduleRef.close();
  });

  it("timeout: '1s' is read as 1000 ms: a store that never answers is down after it, the others up", async () => {
    const slow = new SwitchableStore();
    slow.mode = 'hang';
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule,
        CacheModule.forRoot({ stores: { memory: { driver: 'memory' }, slow: { driver: slow } } }),
      ],
      providers: [CacheHealthIndicator],
    }).compile();
    const indicator = moduleRef.get(CacheHealthIndicator);
    await expect(indicator.isHealthy('cache', { timeout: '1s' })).resolves.toMatchObject({
      cache: {
        status: 'down',
        message: 'Cache store "slow" (no answer within 1000 ms) is down',
        stores: { slow: { status: 'down', error: 'no answer within 1000 ms' }, memory: { status: 'up' } },
      },
    });
    await expect(indicator.isHealthy('cache', { stores: ['memory'], timeout: '250ms' })).resolves.toMatchObject({
      cache: { status: 'up' },
    });
    await moduleRef.close();
  });

  it('reports degraded as up with the detail on a Terminus without `degraded` (11.x shape)', async () => {
    // Terminus 11's session has up/down only; the indicator must not call what is not there.
    const terminus11 = {
      check: (key: string) => ({
        up: (data: object) => ({ [key]: { ...data, status: 'up' } }),
        down: (data: object) => ({ [key]: { ...data, status: 'down' } }),
      }),
    } as unknown as HealthIndicatorService;
    const near = new TwoTierStore();
    near.l2Down = true;
    const manager: CacheManager = createCacheManager({ stores: { near: { driver: near } } });
    const result = await new CacheHealthIndicator(terminus11, manager).isHealthy();
    expect(result).toMatchObject({
      cache: { status: 'up', message: expect.stringMatching(/degraded/), stores: { near: { status: 'degraded' } } },
    });
    await manager.close();
  });
});
