// A two-tier store shares its tiers with the caches of those tiers (the usual configuration:
// mem, redis, near: ['mem', 'redis']). clear() of any of them removes its own keys only: in L1,
// in L2 and, over the bus, in the other instances' L1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createCacheManager, type CacheManager } from '../../../src';
import { RedisServer } from '../../support/redis-server';
import { quiet } from '../../support/with-manager';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

function instance(prefix: string): CacheManager {
  return createCacheManager({
    prefix,
    logger: quiet,
    stores: {
      mem: { driver: 'memory', prefix: 'm' },
      redis: { driver: 'redis', url: server.url, prefix: 'r' },
      near: { driver: 'tiered', tiers: ['mem', 'redis'], prefix: 'n' },
    },
  });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tiered store: clear() over tiers shared with other caches', () => {
  it('near.clear() keeps the entries of the L1 store and of the L2 store', async () => {
    const m = instance(`tc-${randomBytes(4).toString('hex')}`);
    await m.ready();
    try {
      await m.store('mem').set('k', 'mem');
      await m.store('redis').set('k', 'redis');
      await m.store('near').set('k', 'near');
      expect(await m.store('near').get('k')).toBe('near');
      await m.store('near').clear();
      expect(await m.store('near').get('k')).toBeUndefined();
      expect(await m.store('mem').get('k')).toBe('mem');
      expect(await m.store('redis').get('k')).toBe('redis');
    } finally {
      await m.store('redis').clear();
      await m.close();
    }
  });

  it('mem.clear() and redis.clear() keep the two-tier entries', async () => {
    const m = instance(`tc-${randomBytes(4).toString('hex')}`);
    await m.ready();
    try {
      await m.store('near').set('k', 'near');
      await m.store('mem').set('k', 'mem');
      await m.store('redis').set('k', 'redis');
      await m.store('mem').clear();
      await m.store('redis').clear();
      expect(await m.store('near').get('k')).toBe('near');
      expect(await m.store('mem').get('k')).toBeUndefined();
      expect(await m.store('redis').get('k')).toBeUndefined();
    } finally {
      await m.store('near').clear();
      await m.close();
    }
  });

  it('a clear received over the bus drops only the two-tier copies from the other instance\u2019s L1', async () => {
    const prefix = `tc-${randomBytes(4).toString('hex')}`;
    const a = instance(prefix);
    const b = instance(prefix);
    await a.ready();
    await b.ready();
    try {
      await b.store('mem').set('own', 'b-mem');
      await a.store('near').set('k', 'v1');
      expect(await b.store('near').get('k')).toBe('v1'); // now copied into b's L1
      await a.store('near').clear();
      await until(async () => (await b.store('near').get('k')) === undefined, "b's L1 copy to go");
      expect(await b.store('mem').get('own')).toBe('b-mem');
    } finally {
      await a.store('redis').clear();
      await a.close();
      await b.close();
    }
  });
});
