/**
 * `CacheThrottlerStorage`: two Nest app instances on one Redis share one limit (the sum of the
 * requests they allow is the limit), with the throttler's record shape and units.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CacheArgumentError, createCacheManager } from '../../src';
import { CacheThrottlerStorage } from '../../src/throttler';
import { RedisServer } from '../support/redis-server';

const run = promisify(execFile);

let redis: RedisServer;
beforeAll(async () => (redis = await RedisServer.start()));
afterAll(() => redis?.stop());

const APPS = join(process.cwd(), 'test', 'fixtures', 'throttler-apps.ts');

describe('CacheThrottlerStorage with @nestjs/throttler', () => {
  // `imports`: the cache module in ThrottlerModule.forRootAsync's imports; the others an isGlobal
  // CacheModule seen through `inject: [CacheManager]` alone (forRoot, forRootAsync, imported by a
  // feature module listed after the ThrottlerModule).
  it.each(['imports', 'global', 'global-async', 'global-child'])(
    'two app instances on one Redis allow exactly the limit between them (%s)',
    async (wiring) => {
      await redis.cli('flushall');
      // The apps run in plain Node: @nestjs/throttler is CommonJS requiring the ESM-only @nestjs/common.
      const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', APPS, redis.url, '20', wiring]);
      const { statuses, retryAfter } = JSON.parse(stdout.trim().split('\n').pop()!) as {
        statuses: number[];
        retryAfter: string;
      };
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    },
    60_000,
  );

  it('answers records in the throttler’s shape and units (seconds), blocking after the limit', async () => {
    const manager = createCacheManager({ prefix: 'records', stores: { memory: { driver: 'memory' } } });
    const storage = new CacheThrottlerStorage(manager);
    const first = await storage.increment('client', 10_000, 2, 5_000, 'default');
    expect(first).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    await storage.increment('client', 10_000, 2, 5_000, 'default');
    const third = await storage.increment('client', 10_000, 2, 5_000, 'default');
    expect(third).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 5 });
    const fourth = await storage.increment('client', 10_000, 2, 5_000, 'default');
    expect(fourth.isBlocked).toBe(true);
    // Another throttler name counts on its own.
    expect((await storage.increment('client', 10_000, 2, 5_000, 'burst')).isBlocked).toBe(false);
    // No block duration: blocked only while the window is over the limit.
    await storage.increment('nb', 10_000, 1, 0, 'default');
    expect(await storage.increment('nb', 10_000, 1, 0, 'default')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    await manager.close();
  });

  it('refuses something that is not a cache, naming what it needs', () => {
    expect(() => new CacheThrottlerStorage({} as never)).toThrow(CacheArgumentError);
    expect(() => new CacheThrottlerStorage(undefined as never)).toThrow(/needs a Cache/);
  });
});
