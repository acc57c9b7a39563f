import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { createCacheManager, RedisStore } from '../../../src';
import { keySlot } from '../../../src/stores/redis/redis.slots';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { checkTieredCoherence } from '../../support/tiered-coherence';
import { RedisClusterHarness } from '../../support/redis-server';

let cluster: RedisClusterHarness;
beforeAll(async () => {
  cluster = await RedisClusterHarness.start();
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describeStoreConformance('redis store (cluster)', (ctx) => new RedisStore({ cluster: { nodes: cluster.nodes } }, ctx), {
  realTime: true,
  sharedBackend: true,
});

describe('redis store on a cluster', () => {
  it('keeps two-tier stores coherent over its pub/sub (write, delete, clear reach the other L1)', async () => {
    await checkTieredCoherence({ cluster: { nodes: cluster.nodes } }, 'tiered-cluster');
  }, 30_000);

  it('computes the same hash slots as Redis', async () => {
    const keys = ['foo', 'bar', '123456789', 'ключ 😀', '{user}:1', 'a{}b', 'x{y}z{w}', '{}', 'ns:\u0000l:k'];
    const node = new Redis(cluster.nodes[0].port, '127.0.0.1');
    try {
      for (const key of keys) expect(keySlot(key)).toBe(await node.call('cluster', 'keyslot', key));
    } finally {
      node.disconnect();
    }
  });

  it('spreads keys over every master, reads them back in one getMany and clears all of them', async () => {
    const manager = createCacheManager({
      prefix: 'cl-test',
      logger: { warn: () => undefined, error: () => undefined },
      stores: { r: { driver: 'redis', cluster: { nodes: cluster.nodes } } },
    });
    const neighbour = createCacheManager({
      prefix: 'cl-test2',
      stores: { r: { driver: 'redis', cluster: { nodes: cluster.nodes } } },
    });
    await Promise.all([manager.ready(), neighbour.ready()]);
    const cache = manager.store('r');
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await cache.setMany(Object.fromEntries(keys.map((k, i) => [k, i])));
    await neighbour.store('r').set('k1', 'theirs');
    const raw = new Cluster(cluster.nodes);
    try {
      const perMaster = await Promise.all(raw.nodes('master').map((n) => n.dbsize()));
      expect(perMaster.every((n) => n > 0)).toBe(true);
      const got = await cache.getMany(keys);
      expect(keys.every((k, i) => got[k] === i)).toBe(true);
      expect(await cache.deleteMany(['k0', 'k1', 'k2', 'missing'])).toBe(3);
      await cache.clear();
      expect(Object.values(await cache.getMany(keys)).every((v) => v === undefined)).toBe(true);
      expect(await neighbour.store('r').get('k1')).toBe('theirs');
    } finally {
      raw.disconnect();
      await neighbour.store('r').clear();
      await Promise.all([manager.close(), neighbour.close()]);
    }
  });
});
