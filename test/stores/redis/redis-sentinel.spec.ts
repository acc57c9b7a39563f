import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheManager, RedisStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { checkTieredCoherence } from '../../support/tiered-coherence';
import { RedisSentinelHarness } from '../../support/redis-server';

let setup: RedisSentinelHarness;
beforeAll(async () => {
  setup = await RedisSentinelHarness.start();
}, 60_000);
afterAll(async () => {
  await setup.stop();
});

const sentinelConfig = () => ({ sentinels: setup.sentinels, name: RedisSentinelHarness.masterName });

describeStoreConformance('redis store (sentinel)', (ctx) => new RedisStore({ sentinel: sentinelConfig() }, ctx), {
  realTime: true,
  sharedBackend: true,
});

describe('redis store through sentinel', () => {
  it('keeps two-tier stores coherent over its pub/sub (write, delete, clear reach the other L1)', async () => {
    await checkTieredCoherence({ sentinel: sentinelConfig() }, 'tiered-sentinel');
  }, 30_000);

  it('keeps working after the master is killed and the replica is promoted', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const manager = createCacheManager({
      prefix: 'failover',
      logger: { warn: () => undefined, error: () => undefined },
      stores: { r: { driver: 'redis', sentinel: sentinelConfig() } },
    });
    try {
      await manager.ready();
      const cache = manager.store('r');
      expect(await cache.set('before', 'v1')).toBe(true);
      // Replication is asynchronous: let the replica have it before the crash.
      for (let i = 0; i < 100 && (await setup.replica.cli('exists', 'failover:before')).trim() !== '1'; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const oldMaster = setup.master.port;
      await setup.master.kill();

      // Keep using the cache during the failover: reads fail open, nothing throws.
      const deadline = Date.now() + 20_000;
      let served = 0;
      let written = false;
      while (Date.now() < deadline) {
        expect(await cache.remember('during', 60, () => 'loaded')).toBe('loaded');
        served++;
        if ((await setup.masterPort()) !== oldMaster && (await cache.set('after', 'v2'))) {
          written = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(written).toBe(true);
      expect(served).toBeGreaterThan(0);
      expect(await setup.masterPort()).toBe(setup.replica.port);
      expect(await cache.get('after')).toBe('v2');
      expect(await cache.get('before')).toBe('v1');
      expect((await manager.health()).r.status).toBe('up');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await manager.close();
    }
  }, 30_000);
});
