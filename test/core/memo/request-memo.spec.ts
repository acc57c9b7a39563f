/**
 * `cache.memo()`: reads memoised for the current request (Nest HTTP requests through the module's
 * request hook, on Express and Fastify), for the object's lifetime outside a request.
 */
import { Controller, Get, Injectable, Module, Param, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheModule, CacheService, createCacheManager, type CacheApi, type CacheStore } from '../../../src';

/** A memory-like store that counts reads. */
const reads: string[] = [];
const data = new Map<string, unknown>();
const countingStore: CacheStore = {
  get: async (k) => (reads.push(k), data.get(k)),
  set: async (k, v) => void data.set(k, v),
  delete: async (k) => data.delete(k),
  clear: async () => data.clear(),
};

@Injectable()
class SettingsService {
  // Created once, outside any request: reads are still memoised per request.
  private readonly memo: CacheApi;
  constructor(cache: CacheService) {
    this.memo = cache.memo();
  }
  read(key: string) {
    return this.memo.get<string>(key);
  }
  write(key: string, value: string) {
    return this.memo.set(key, value);
  }
}

@Controller()
class MemoController {
  constructor(
    private readonly settings: SettingsService,
    private readonly cache: CacheService,
  ) {}

  @Get('read/:key')
  async read(@Param('key') key: string) {
    const values = [];
    for (let i = 0; i < 5; i++) values.push(await this.settings.read(key));
    values.push(await this.cache.memo().get(key)); // another memo() in the same request shares it
    return { values };
  }

  @Get('write/:key')
  async write(@Param('key') key: string) {
    const before = await this.settings.read(key);
    await this.settings.write(key, 'written');
    return { before, after: await this.settings.read(key) };
  }
}

@Module({
  imports: [
    CacheModule.forRoot({ prefix: 'memo', default: 'counting', stores: { counting: { driver: countingStore } } }),
  ],
  controllers: [MemoController],
  providers: [SettingsService],
})
class MemoAppModule {}

describe.each(['express', 'fastify'])('cache.memo() in a Nest app on %s', (platform) => {
  let app: INestApplication;
  beforeEach(async () => {
    reads.length = 0;
    data.clear();
    const moduleRef = await Test.createTestingModule({ imports: [MemoAppModule] }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.init();
    if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  });
  afterEach(() => app.close());

  it('six reads of one key in a request read the store once; the next request reads it again', async () => {
    data.set('memo:greeting', 'hello');
    const first = await request(app.getHttpServer()).get('/read/greeting').expect(200);
    expect(first.body.values).toEqual(Array(6).fill('hello'));
    expect(reads).toEqual(['memo:greeting']);
    data.set('memo:greeting', 'changed');
    const second = await request(app.getHttpServer()).get('/read/greeting').expect(200);
    expect(second.body.values).toEqual(Array(6).fill('changed'));
    expect(reads).toEqual(['memo:greeting', 'memo:greeting']);
  });

  it('concurrent requests do not share a memo', async () => {
    data.set('memo:k', 'v');
    await Promise.all([1, 2, 3].map(() => request(app.getHttpServer()).get('/read/k').expect(200)));
    expect(reads).toEqual(['memo:k', 'memo:k', 'memo:k']);
  });

  it('a write through the memo updates it (a miss is memoised too)', async () => {
    const res = await request(app.getHttpServer()).get('/write/fresh').expect(200);
    expect(res.body).toEqual({ after: 'written' });
    expect(reads).toEqual(['memo:fresh']);
    expect(data.get('memo:fresh')).toBe('written');
  });
});

describe('cache.memo() outside a request', () => {
  it('memoises for the object’s lifetime; writes, deletes and tag flushes through it keep it right', async () => {
    const manager = createCacheManager({ prefix: 'memo2' });
    await manager.set('a', 1);
    const memo = manager.memo();
    expect(await memo.get('a')).toBe(1);
    await manager.set('a', 2); // not through the memo: the memo still answers 1
    expect(await memo.get('a')).toBe(1);
    expect(await manager.memo().get('a')).toBe(2); // a new memo object, a new lifetime
    await memo.set('a', 3);
    expect(await memo.get('a')).toBe(3);
    await memo.delete('a');
    expect(await memo.get('a')).toBeUndefined();
    expect(await memo.get('a', 'fallback')).toBe('fallback');
    expect(await memo.increment('n', 5)).toBe(5);
    expect(await memo.get('n')).toBe(5);
    await memo.tags('t').set('tagged', 'x');
    expect(await memo.get('tagged')).toBe('x');
    await memo.tags('t').flush();
    expect(await memo.get('tagged')).toBeUndefined();
    expect(await memo.getMany(['n', 'missing'])).toEqual({ n: 5, missing: undefined });
    expect(await memo.remember('r', 10, () => 'loaded')).toBe('loaded');
    expect(await memo.remember('r', 10, () => 'again')).toBe('loaded');
    await manager.close();
  });
});
