import { afterAll, beforeAll } from '@jest/globals';
import { MemoryStore, RedisBus, RedisStore, TieredStore, type CacheStore } from '../../../src';
import { busChannel } from '../../../src/core/keys';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { RedisServer } from '../../support/redis-server';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

// The tiered store leaves its tiers to their owner (normally the manager): close them here.
const tiers: CacheStore[] = [];

describeStoreConformance(
  'tiered store (memory + redis, with bus)',
  (ctx) => {
    const l1 = new MemoryStore({}, ctx.clock);
    const l2 = new RedisStore({ url: server.url }, ctx);
    tiers.push(l1, l2);
    const bus = new RedisBus({ url: server.url }, busChannel(ctx.namespace), ctx.name, ctx.logger);
    return new TieredStore({ l1, l2, bus }, ctx);
  },
  {
    realTime: true,
    sharedBackend: true,
    cleanup: async () => {
      await Promise.all(tiers.splice(0).map((s) => s.close?.()));
    },
  },
);
