/**
 * A two-tier store whose Redis is frozen (SIGSTOP: connections open, nothing answers) while the
 * app boots: start-up goes on, L1 is bypassed while the invalidation bus cannot subscribe, and
 * once Redis answers again the bus subscribes, L1 is trusted and serves hits, without a restart.
 * (A refused connection at boot is covered by test/reliability/boot-without-backends.spec.ts.)
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createCacheManager, normalizeKey, type CacheManager, type TieredStore } from '../../../src';
import { RedisServer } from '../../support/redis-server';
import { eventually } from '../../support/tiered-coherence';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('two-tier store: L1 trust after Redis was frozen at boot', () => {
  let server: RedisServer | undefined;
  let manager: CacheManager | undefined;
  afterEach(async () => {
    server?.pause(false);
    await manager?.close();
    await server?.stop();
    server = manager = undefined;
  });

  it('boots, bypasses L1 while the bus is down, then trusts and fills L1 once Redis answers', async () => {
    server = await RedisServer.start();
    server.pause(true);
    manager = createCacheManager({
      logger: quiet,
      prefix: 'l1t',
      default: 'near',
      stores: {
        mem: { driver: 'memory' },
        redis: { driver: 'redis', url: `redis://127.0.0.1:${server.port}`, connectTimeout: '500ms', timeout: 300 },
        near: { driver: 'tiered', tiers: ['mem', 'redis'] },
      },
    });
    const m = manager;
    await m.ready();
    const near = m.store('near');
    const store = near.driver as TieredStore;
    // Frozen: reported degraded (docs/stores-tiered.md), L1 not trusted, reads fail open, writes fail.
    const status = async () => (await near.health()).near?.status;
    await eventually(async () => (await status()) === 'degraded', 'the two-tier store reported degraded', 10_000);
    expect(store.nearSync).toBeUndefined();
    expect(await near.get('k')).toBeUndefined();
    expect(await near.set('k', 1)).toBe(false);

    server.pause(false);
    await eventually(async () => store.nearSync !== undefined, 'L1 trusted again', 20_000);
    await eventually(async () => (await near.set('k', 2)) === true, 'writes reach Redis again', 20_000);
    expect(await near.get('k')).toBe(2);
    // Hits are L1's again: the in-process tier the cache reads first holds the value.
    await eventually(async () => store.nearSync?.getSync(normalizeKey('k', 'l1t')) === 2, 'L1 holds the value', 20_000);
    expect(await status()).toBe('up');
  });
});
