/**
 * Hostile data under the app's prefix and partial failures (issue 23, items 1, 4, 6, 7, 9): each
 * case failed before its fix.
 */
import { createCacheManager, CacheArgumentError, CacheSerializationError, defaultSerializer } from '../../src';
import { freePort, rawCommand, RedisServer } from '../support/redis-server';

let redis: RedisServer;
beforeAll(async () => (redis = await RedisServer.start()));
afterAll(() => redis?.stop());

let n = 0;
function redisCache() {
  const prefix = `hostile${++n}`;
  const manager = createCacheManager({ prefix, default: 'r', stores: { r: { driver: 'redis', url: redis.url } } });
  return { manager, prefix };
}

describe('decoding never sets a prototype from data', () => {
  it('an escaped "\\u0000__proto__" key is refused like a plain "__proto__" key', () => {
    const text = 'J{"\\u0000__proto__":{"isAdmin":true}}';
    expect(() => defaultSerializer.deserialize(text, 'k')).toThrow(CacheSerializationError);
    expect(() => defaultSerializer.deserialize('J{"a":{"\\u0000__proto__":{"x":1}}}', 'k')).toThrow(
      /"__proto__" property/,
    );
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('through Redis: such an entry reads as a miss and a counted error, the prototype untouched', async () => {
    const { manager, prefix } = redisCache();
    await redis.cli('set', `${prefix}:k`, 'J{"\\u0000__proto__":{"isAdmin":true}}');
    expect(await manager.get('k')).toBeUndefined();
    expect(manager.store('r').stats().errors).toBe(1);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    await manager.close();
  });
});

describe('numbers are decimal text only', () => {
  it('"0x10", " 1", "1_0", "010" are not numbers; what String(n) writes is', () => {
    for (const text of ['0x10', '0o7', '0b1', '010', '1_0', '-0x1', '1e', '.5']) {
      expect(() => defaultSerializer.deserialize(text, 'k')).toThrow(CacheSerializationError);
    }
    for (const v of [0, 7, -1, 1.5, 1e21, -2.5e-300, Number.MAX_SAFE_INTEGER]) {
      expect(defaultSerializer.deserialize(defaultSerializer.serialize(v), 'k')).toBe(v);
    }
  });

  it('increment of a key holding another Redis type is a typed error naming the user key', async () => {
    const { manager, prefix } = redisCache();
    await redis.cli('hset', `${prefix}:counter`, 'f', '1');
    const err = await manager.increment('counter').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheArgumentError);
    expect((err as Error).message).toMatch(/^Cannot increment key "counter": it holds a Redis value of another type/);
    await manager.close();
  });
});

describe('one unreadable value in a Redis getMany', () => {
  it('is one miss and one counted error; the other keys are hits', async () => {
    const { manager, prefix } = redisCache();
    await manager.setMany({ a: 1, b: { x: 2 }, c: 'three' });
    await redis.cli('set', `${prefix}:b`, 'J{not json');
    expect(await manager.getMany(['a', 'b', 'c', 'missing'])).toEqual({
      a: 1,
      b: undefined,
      c: 'three',
      missing: undefined,
    });
    const stats = manager.store('r').stats();
    expect(stats.errors).toBe(1);
    expect(stats.hits).toBe(2);
    await manager.close();
  });
});

describe('a tag version key holding a non-string', () => {
  it('does not make tagged writes untagged: flush still removes them', async () => {
    const { manager, prefix } = redisCache();
    await manager.tags('users').set('user:1', 'before');
    // Someone with access to the prefix writes a number over the version (`<ns>:\0t:<tag>`).
    expect(await rawCommand(redis.port, `SET "${prefix}:\\x00t:users" 5`)).toMatch(/OK/);
    expect(await manager.get('user:1')).toBeUndefined(); // readers: an unknown version is a miss
    await manager.tags('users').set('user:2', 'tagged');
    expect(await manager.get('user:2')).toBe('tagged');
    await manager.tags('users').flush();
    expect(await manager.get('user:2')).toBeUndefined();
    await manager.close();
  });
});

describe('tagged writes during an outage', () => {
  it('resolve false like plain writes (set, setMany, forever); nothing throws', async () => {
    const port = await freePort();
    const manager = createCacheManager({
      prefix: 'outage',
      default: 'r',
      stores: { r: { driver: 'redis', url: `redis://127.0.0.1:${port}`, timeout: 200 } },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await manager.ready();
    expect(await manager.set('plain', 1)).toBe(false);
    expect(await manager.tags(['t']).set('k', 1)).toBe(false);
    expect(await manager.tags(['t']).setMany({ a: 1, b: 2 })).toBe(false);
    expect(await manager.tags(['t']).forever('f', 1)).toBe(false);
    expect(await manager.tags(['t']).get('k')).toBeUndefined();
    expect(manager.store('r').stats().errors).toBeGreaterThanOrEqual(4);
    await manager.close();
  });
});
