/**
 * The byte formats of internal keys and channels. Running processes share Redis data, files and
 * pub/sub channels, so these strings must never change between versions: each is pinned here as
 * the stores produce it (through real stores where the format reaches a backend), not only as the
 * helpers in core/keys.ts spell it.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { createCacheManager, normalizeKey, type CacheStore } from '../../src';
import {
  busChannel,
  changeChannel,
  INTERNAL_KEY_KIND,
  internalKey,
  lockedKeyOf,
  lockKey,
  pingKey,
} from '../../src/core/keys';
import { rateLimitKey } from '../../src/core/locks/rate-limit';
import { tagVersionKey } from '../../src/core/tags/tag-versions';
import { CacheThrottlerStorage } from '../../src/throttler';
import { RedisServer } from '../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
const NUL = '\u0000';

/** A memory-like store recording every key the core hands it. */
function recordingStore(withPing = false): CacheStore & { seen: string[] } {
  const data = new Map<string, unknown>();
  const seen: string[] = [];
  const store: CacheStore & { seen: string[] } = {
    seen,
    get: async (k) => (seen.push(k), data.get(k)),
    set: async (k, v) => void (seen.push(k), data.set(k, v)),
    delete: async (k) => (seen.push(k), data.delete(k)),
    clear: async () => data.clear(),
    add: async (k, v) => (seen.push(k), data.has(k) ? false : (data.set(k, v), true)),
    acquireLock: async (k, token) => (seen.push(k), data.has(k) ? false : (data.set(k, token), true)),
    releaseLock: async (k) => void (seen.push(k), data.delete(k)),
  };
  if (withPing) store.ping = async () => undefined;
  return store;
}

describe('internal key formats (byte for byte)', () => {
  it('user keys: <namespace>:<key>; a leading NUL is doubled; long keys become <ns>:\\0h:<sha256>', () => {
    expect(normalizeKey('user:1', 'shop')).toBe('shop:user:1');
    expect(normalizeKey('user:1')).toBe('user:1');
    expect(normalizeKey(`${NUL}x`, 'shop')).toBe(`shop:${NUL}${NUL}x`);
    const long = 'k'.repeat(2000);
    expect(normalizeKey(long, 'shop')).toBe(`shop:${NUL}h:${createHash('sha256').update(long).digest('hex')}`);
    expect(normalizeKey(long)).toBe(`${NUL}h:${createHash('sha256').update(long).digest('hex')}`);
  });

  it('tag versions: <ns>:\\0t:<tag>, tags over 200 characters hashed', async () => {
    expect(tagVersionKey('shop', 'users')).toBe(`shop:${NUL}t:users`);
    expect(tagVersionKey('', 'users')).toBe(`${NUL}t:users`);
    const long = 't'.repeat(201);
    expect(tagVersionKey('shop', long)).toBe(`shop:${NUL}t:${createHash('sha256').update(long).digest('hex')}`);
    const store = recordingStore();
    const m = createCacheManager({ logger: quiet, prefix: 'shop', stores: { s: { driver: store } } });
    await m.store('s').tags(['users']).set('u1', 1);
    expect(store.seen).toContain(`shop:${NUL}t:users`);
    await m.close();
  });

  it('locks: <ns>:\\0l:<key> for the lease of remember(..., { lock: true })', async () => {
    const store = recordingStore();
    const m = createCacheManager({ logger: quiet, prefix: 'shop', stores: { s: { driver: store } } });
    await m.store('s').remember('report', 60, async () => 1, { lock: true });
    expect(store.seen).toContain(`shop:${NUL}l:report`);
    await m.close();
  });

  it('ping probe of a store without ping: <ns>:\\0p:ping', async () => {
    const store = recordingStore();
    const m = createCacheManager({ logger: quiet, prefix: 'shop', stores: { s: { driver: store } } });
    await m.store('s').health();
    expect(store.seen).toEqual([`shop:${NUL}p:ping`]);
    await m.close();
  });

  it('the helpers of core/keys.ts spell each kind once', () => {
    expect(INTERNAL_KEY_KIND).toEqual({ tagVersion: 't', lock: 'l', hashed: 'h', ping: 'p', rateLimit: 'r' });
    expect(rateLimitKey('shop', 'default:client')).toBe(`shop:${NUL}r:default:client`);
    expect(rateLimitKey('shop', 'x'.repeat(600))).toBe(
      `shop:${NUL}r:#${createHash('sha256').update('x'.repeat(600)).digest('hex')}`,
    );
    expect(internalKey('shop', 't', 'x')).toBe(`shop:${NUL}t:x`);
    expect(lockKey('shop', 'report')).toBe(`shop:${NUL}l:report`);
    expect(lockKey('', 'report')).toBe(`${NUL}l:report`);
    expect(lockedKeyOf('shop', `shop:${NUL}l:report`)).toBe('shop:report');
    expect(lockedKeyOf('', `${NUL}l:report`)).toBe('report');
    expect(lockedKeyOf('shop', 'shop:report')).toBeUndefined();
    expect(lockedKeyOf('shop', `other:${NUL}l:report`)).toBeUndefined();
    expect(pingKey('shop')).toBe(`shop:${NUL}p:ping`);
    expect(changeChannel('shop')).toBe(`shop:${NUL}changed`);
    expect(changeChannel('')).toBe(`:${NUL}changed`);
    expect(busChannel('shop')).toBe(`shop:${NUL}bus`);
    expect(busChannel('')).toBe(`:${NUL}bus`);
  });

  it('a two-tier store probes a tier without ping with the same ping key', async () => {
    const l1 = recordingStore();
    const l2 = recordingStore(true);
    const m = createCacheManager({
      logger: quiet,
      prefix: 'shop',
      stores: { l1: { driver: l1 }, l2: { driver: l2 }, near: { driver: 'tiered', tiers: ['l1', 'l2'], bus: false } },
    });
    await m.store('near').health();
    expect(l1.seen).toEqual([`shop:${NUL}p:ping`]);
    await m.close();
  });

  describe('on Redis', () => {
    let server: RedisServer;
    let raw: Redis;
    let sub: Redis;
    beforeAll(async () => {
      server = await RedisServer.start();
      raw = new Redis(server.port, '127.0.0.1');
      sub = new Redis(server.port, '127.0.0.1');
    });
    afterAll(async () => {
      raw.disconnect();
      sub.disconnect();
      await server.stop();
    });

    const messages = async (channel: string) => {
      const got: string[] = [];
      sub.on('message', (c: string, m: string) => {
        if (c === channel) got.push(m);
      });
      await sub.subscribe(channel);
      return got;
    };

    it('lock keys in Redis and the release announced on <ns>:\\0changed as <ns>:<key>', async () => {
      const changed = await messages(`shop:${NUL}changed`);
      const url = `redis://127.0.0.1:${server.port}`;
      const m = createCacheManager({ logger: quiet, prefix: 'shop', stores: { r: { driver: 'redis', url } } });
      await m.ready();
      let seenKeys: string[] = [];
      await m.store('r').remember(
        'report',
        60,
        async () => {
          seenKeys = await raw.keys('shop:*');
          return 1;
        },
        { lock: true },
      );
      expect(seenKeys).toContain(`shop:${NUL}l:report`);
      await m.store('r').tags(['users']).set('u1', 1);
      expect(await raw.keys('shop:*')).toEqual(
        expect.arrayContaining(['shop:report', `shop:${NUL}t:users`, 'shop:u1']),
      );
      for (let i = 0; i < 50 && !changed.includes('shop:report'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(changed).toContain('shop:report');
      await m.close();
    });

    it('rate limits of the throttler: <ns>:\\0r:<throttler name>:<key>, a list (window:block:blocked, then hit expiries)', async () => {
      const url = `redis://127.0.0.1:${server.port}`;
      const m = createCacheManager({ logger: quiet, prefix: 'shop', stores: { r: { driver: 'redis', url } } });
      await new CacheThrottlerStorage(m.store('r')).increment('client', 60_000, 5, 0, 'default');
      const items = await raw.lrange(`shop:${NUL}r:default:client`, 0, -1);
      expect(items).toHaveLength(2);
      expect(items[0]).toMatch(/^\d+:0:0$/);
      expect(items[1]).toMatch(/^\d+$/);
      await m.close();
    });

    it('the two-tier invalidation bus: channel <ns>:\\0bus', async () => {
      const bus = await messages(`shop:${NUL}bus`);
      const url = `redis://127.0.0.1:${server.port}`;
      const m = createCacheManager({
        logger: quiet,
        prefix: 'shop',
        stores: {
          mem: { driver: 'memory' },
          l2: { driver: 'redis', url },
          near: { driver: 'tiered', tiers: ['mem', 'l2'] },
        },
      });
      await m.ready();
      await m.store('near').set('k', 1);
      for (let i = 0; i < 50 && bus.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(bus.length).toBeGreaterThan(0);
      await m.close();
    });
  });
});
