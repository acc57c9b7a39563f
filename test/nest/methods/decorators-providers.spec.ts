import { Logger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import request from 'supertest';
import {
  CacheDecoratorRuntime,
  CacheManager,
  CacheModule,
  CacheService,
  CacheStoreNotFoundError,
  type CacheModuleOptions,
} from '../../../src';
import {
  DualConsumer,
  DualController,
  MisconfiguredLockService,
  MisconfiguredService,
  RequestScopedService,
  UsersService,
} from '../../fixtures/decorators/providers.fixture';

const options: CacheModuleOptions = {
  prefix: 'decorators',
  stores: { memory: { driver: 'memory' }, other: { driver: 'memory' } },
};

async function boot(extraProviders: unknown[] = []): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot(options)],
    controllers: [DualController],
    providers: [UsersService, DualController, DualConsumer, ...(extraProviders as never[])],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('Cache decorators on providers', () => {
  let app: INestApplication;
  let users: UsersService;
  let cache: CacheService;

  beforeEach(async () => {
    app = await boot();
    users = app.get(UsersService);
    cache = app.get(CacheService);
  });
  afterEach(async () => {
    await app.close();
  });

  it('caches a Promise-returning method by a stable hash of its arguments', async () => {
    const a = await users.find(1, { full: true });
    const b = await users.find(1, { full: true });
    expect(b).toEqual(a);
    await users.find(2);
    await users.find(1, { full: false });
    expect(users.runs.find).toBe(3);
    expect(app.get(CacheManager).stats().memory.hits).toBe(1);
  });

  it('caches a method returning a plain value, which then resolves to it', async () => {
    const first = users.plain(21) as unknown;
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(42);
    expect(await (users.plain(21) as unknown as Promise<number>)).toBe(42);
    expect(users.runs.plain).toBe(1);
    expect(await cache.get('plain:21')).toBe(42);
  });

  it('builds keys from templates ({0}, {0.id}) and functions', async () => {
    await users.byTemplate(5);
    expect(await cache.get('user:5')).toEqual({ id: 5, name: 'user 5' });
    await users.byPath({ id: 3, name: 'ann' }, 'x');
    expect(await cache.get('owner:3:x')).toBe('ann/x');
    expect(await users.sum(2, 3)).toBe(5);
    expect(await users.sum(2, 3)).toBe(5);
    expect(users.runs.sum).toBe(1);
    expect(await cache.get('sum:2+3')).toBe(5);
  });

  it('skips the cache when condition is false and does not store when unless is true', async () => {
    await users.conditional(-1);
    await users.conditional(-1);
    expect(users.runs.conditional).toBe(2);
    expect(await users.conditional(99)).toBeNull();
    expect(await users.conditional(99)).toBeNull();
    expect(users.runs.conditional).toBe(4);
    expect(await cache.has('cond:99')).toBe(false);
    await users.conditional(4);
    await users.conditional(4);
    expect(users.runs.conditional).toBe(5);
  });

  it('applies class-level defaults, overridden per method', async () => {
    await users.byTemplate(8);
    const ttl = await cache.ttl('user:8');
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    await users.inOtherStore(4);
    expect(await cache.store('other').get('other:4')).toBe(4);
    expect(await cache.has('other:4')).toBe(false);
    expect(await cache.store('other').ttl('other:4')).toBeLessThanOrEqual(60);
  });

  it('rethrows the method error, stores nothing, and runs the method once per call', async () => {
    await expect(users.throws(1)).rejects.toThrow('boom 1');
    await expect(users.throws(1)).rejects.toThrow('boom 1');
    expect(users.runs.throws).toBe(2);
    expect(await cache.has('throws:1')).toBe(false);
  });

  it('runs uncached, logs and counts when the cache side fails', async () => {
    expect(await users.badKey()).toBe('ok');
    expect(await users.badKey()).toBe('ok');
    expect(users.runs.badKey).toBe(2);
    expect(app.get(CacheDecoratorRuntime).stats().errors).toBe(2);
  });

  it('runs the method once for concurrent calls', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => users.slow(3)));
    expect(results).toEqual(Array(20).fill(3));
    expect(users.runs.slow).toBe(1);
  });

  it('@CachePut always runs and stores; @Cacheable then reads it', async () => {
    await users.save({ id: 1, name: 'ann' });
    await users.save({ id: 1, name: 'ann' });
    expect(users.runs.save).toBe(2);
    expect(await users.byTemplate(1)).toEqual({ id: 1, name: 'ann' });
    expect(users.runs.byTemplate).toBeUndefined();
  });

  it('@CacheEvict flushes tags after success, and nothing when the method fails', async () => {
    await users.byTemplate(2);
    await users.byTemplate(3);
    await expect(users.rename(2, 'bob', true)).rejects.toThrow('rename failed');
    expect(await cache.has('user:2')).toBe(true);
    await users.rename(2, 'bob');
    expect(await cache.has('user:2')).toBe(false);
    expect(await cache.has('user:3')).toBe(true);
    expect(await users.byTemplate(2)).toEqual({ id: 2, name: 'bob' });
  });

  it('@CacheEvict with beforeInvocation evicts even when the method fails; allEntries clears the store', async () => {
    await users.byTemplate(6);
    await expect(users.failingEvictBefore(6)).rejects.toThrow('failed 6');
    expect(await cache.has('user:6')).toBe(false);
    await users.byTemplate(7);
    await users.reset();
    expect(await cache.has('user:7')).toBe(false);
  });

  it('caches a controller over HTTP and the provider of the same class separately', async () => {
    await request(app.getHttpServer()).get('/dual/1').expect(200);
    const hit = await request(app.getHttpServer()).get('/dual/1').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    const controller = app.get(DualController, { strict: false });
    const provider = app.get(DualConsumer).dual;
    expect(provider).not.toBe(controller);
    const p1 = await provider.get('1');
    const p2 = await provider.get('1');
    expect(p2).toEqual(p1);
    expect(provider.runs).toBe(1);
  });

  it('runs methods of an instance made outside Nest uncached', async () => {
    const loose = new UsersService();
    expect(await loose.sum(1, 1)).toBe(2);
    expect(await loose.sum(1, 1)).toBe(2);
    expect(loose.runs.sum).toBe(2);
  });
});

describe('Cache decorators across apps and scopes', () => {
  it('does not share caches between two apps in one process', async () => {
    const a = await boot();
    const b = await boot();
    try {
      const ua = a.get(UsersService);
      const ub = b.get(UsersService);
      await ua.sum(4, 4);
      await ua.sum(4, 4);
      await ub.sum(4, 4);
      expect(ua.runs.sum).toBe(1);
      expect(ub.runs.sum).toBe(1);
      await b.get(CacheService).clear();
      await ua.sum(4, 4);
      expect(ua.runs.sum).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('warns about request-scoped providers and runs them uncached', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const app = await boot([RequestScopedService]);
    try {
      expect(warn.mock.calls.some(([m]) => String(m).includes('RequestScopedService is request-scoped'))).toBe(true);
      const service = await app.resolve(RequestScopedService);
      expect(await service.value()).toBe(1);
      expect(await service.value()).toBe(2);
    } finally {
      warn.mockRestore();
      await app.close();
    }
  });

  it('fails start-up when a decorator names a store that is not configured', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot(options)],
      providers: [MisconfiguredService],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(CacheStoreNotFoundError);
    await expect(app.init()).rejects.toThrow(/MisconfiguredService\.value: Cache store "nope"/);
    await app.close();
  });

  it('fails start-up when @CacheLock names a store that is not configured, as the other decorators do', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot(options)],
      providers: [MisconfiguredLockService],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(CacheStoreNotFoundError);
    await expect(app.init()).rejects.toThrow(
      'MisconfiguredLockService.run: Cache store "nope-lock" is not configured. Known stores: memory, other',
    );
    await app.close();
  });
});
