/**
 * Tagged reads on a Redis Cluster: the entry and its tags' versions live in different hash
 * slots, so a read through a tagged view is one MGET per slot, sent together (one round trip of
 * latency), never a GET followed by the versions. Third-party changes to a version read as a flush.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster } from 'ioredis';
import { createCacheManager, defaultSerializer, type CacheManager } from '../../../src';
import { tagVersionKey } from '../../../src/core/tags/tag-versions';
import { keySlot } from '../../../src/stores/redis/redis.slots';
import { RedisClusterHarness } from '../../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
let cluster: RedisClusterHarness;
let raw: Cluster;
const managers: CacheManager[] = [];

beforeAll(async () => {
  cluster = await RedisClusterHarness.start();
  raw = new Cluster(cluster.nodes);
}, 60_000);
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(raw.nodes('master').map((n) => n.flushall()));
});
afterAll(async () => {
  raw.disconnect();
  await cluster.stop();
});

async function manager(): Promise<CacheManager> {
  const m = createCacheManager({
    prefix: 'ctr',
    logger: quiet,
    stores: { r: { driver: 'redis', cluster: { nodes: cluster.nodes } } },
  });
  managers.push(m);
  await m.ready();
  return m;
}

/** Calls of `command` on every master since the last reset, summed. */
async function calls(command: string): Promise<number> {
  let n = 0;
  for (const node of raw.nodes('master')) {
    const info = await node.info('commandstats');
    const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
    n += m ? Number(m[1]) : 0;
  }
  return n;
}

describe('redis cluster tagged reads', () => {
  it('a tagged get and a remember hit are one MGET per slot, no GET, and answer the entry', async () => {
    const m = await manager();
    const tags = ['users', 'active'];
    const view = m.tags(tags);
    await view.set('user:1', { id: 1 });
    const slots = new Set(['ctr:user:1', ...tags.map((t) => tagVersionKey('ctr', t))].map(keySlot)).size;
    await Promise.all(raw.nodes('master').map((n) => n.config('RESETSTAT')));
    expect(await view.get('user:1')).toEqual({ id: 1 });
    expect(await view.remember('user:1', 60, () => 'loaded')).toEqual({ id: 1 });
    expect(await calls('get')).toBe(0);
    expect(await calls('mget')).toBe(2 * slots);
  });

  it('a version deleted or overwritten by a third party reads as a miss', async () => {
    const m = await manager();
    const view = m.tags(['users', 'active']);
    await view.set('a', 1);
    await view.set('b', 2);
    await raw.del(tagVersionKey('ctr', 'active'));
    expect(await view.get('a')).toBeUndefined();
    expect(await view.remember('a', 60, () => 'loaded')).toBe('loaded');
    await raw.set(tagVersionKey('ctr', 'users'), defaultSerializer.serialize(5, 'v'));
    expect(await view.get('a')).toBeUndefined();
    expect(await view.get('b')).toBeUndefined();
    expect(m.store('r').stats().errors).toBe(0);
  });

  it('a flush by another cache instance is seen by the next tagged read', async () => {
    const [a, b] = [await manager(), await manager()];
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (const k of keys) await a.tags(['users', 'active']).set(k, k);
    for (const k of keys) expect(await b.tags(['users']).get(k)).toBe(k);
    await b.tags(['active']).flush();
    for (const k of keys) expect(await a.tags(['users', 'active']).get(k)).toBeUndefined();
  });
});
