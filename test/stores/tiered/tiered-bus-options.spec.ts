// The tiered store's `bus` connection options: a key that is not one of them is refused at
// start-up (before, `{ ulr }` connected the bus to ioredis' default address, 127.0.0.1:6379),
// and `{ timeout }` alone (no connection named) opens the bus where the L2 connects, as the
// default bus does, instead of at that default address.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { CacheConfigError, createCacheManager, type CacheManagerOptions } from '../../../src';
import { RedisServer } from '../../support/redis-server';
import { quiet, withManager } from '../../support/with-manager';

let server: RedisServer;

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(() => server.stop());

const options = (bus: unknown): CacheManagerOptions => ({
  logger: quiet,
  prefix: 'bus-options',
  stores: {
    mem: { driver: 'memory', pruneInterval: 0 },
    redis: { driver: 'redis', url: `redis://127.0.0.1:${server.port}` },
    near: { driver: 'tiered', tiers: ['mem', 'redis'], bus: bus as false, requireOnStartup: true },
  },
});

describe('tiered store bus options', () => {
  it.each([
    [{ ulr: 'redis://127.0.0.1:6379' }, 'ulr', 'stores.near.bus.ulr is not a known option; did you mean "url"?'],
    [{ timeot: 500 }, 'timeot', 'stores.near.bus.timeot is not a known option; did you mean "timeout"?'],
  ])('refuses an unknown key in %j, naming the store and the key', (bus, field, message) => {
    let err: unknown;
    try {
      createCacheManager(options(bus));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CacheConfigError);
    expect(err).toMatchObject({ store: 'near', field, message });
  });

  it("bus: { timeout } alone subscribes on the L2's server", async () => {
    const raw = new Redis(server.port, '127.0.0.1');
    try {
      await withManager(options({ timeout: '500ms' }), async (manager) => {
        // requireOnStartup: ready() resolved once the bus was subscribed.
        expect(await manager.store('near').set('k', 1)).toBe(true);
        expect(await raw.pubsub('CHANNELS', 'bus-options*')).toEqual(['bus-options:\u0000bus']);
      });
    } finally {
      raw.disconnect();
    }
  });
});
