/**
 * Coalescing on real Redis: the first get of a tick is a GET, the gets that follow in the tick one
 * MGET (per hash slot on a Cluster), both in one socket write on one node; sets likewise, the followers in one
 * socket write (one pipeline per node on a Cluster). Every call keeps its own result, timeout and failure. Commands are counted
 * with INFO commandstats on servers of this file alone.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { createCacheManager, type Cache, type CacheManager, type CacheManagerOptions } from '../../../src';
import { MAX_BATCH } from '../../../src/stores/redis/redis.batching';
import { keySlot } from '../../../src/stores/redis/redis.slots';
import { RedisClusterHarness, RedisServer } from '../../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };

/** Calls of each command since the last CONFIG RESETSTAT: `{ get: 1, mget: 2 }`. */
async function commandCalls(node: Redis): Promise<Record<string, number>> {
  const info = (await node.info('commandstats')) as string;
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Writes = Record<'_write' | '_writev', (...args: unknown[]) => void>;

/**
 * Calls `onWrite` for each write the client's socket hands to the system: one `_write` or
 * `_writev` each (ioredis writes every command to the socket; a corked socket gathers them).
 */
function countWrites(client: Redis, onWrite: (chunks: number) => void): void {
  const socket = client.stream as Socket & Writes;
  for (const method of ['_write', '_writev'] as const) {
    const inner = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      onWrite(method === '_writev' ? (args[0] as unknown[]).length : 1);
      inner(...args);
    };
  }
}

async function open(options: CacheManagerOptions): Promise<CacheManager> {
  const manager = createCacheManager({ logger: quiet, ...options });
  await manager.ready();
  return manager;
}

describe('redis store: coalescing on one server', () => {
  let server: RedisServer;
  let raw: Redis;
  let manager: CacheManager;
  let cache: Cache;

  beforeAll(async () => {
    server = await RedisServer.start();
    raw = new Redis(server.port, '127.0.0.1');
    manager = await open({ prefix: 'co', stores: { r: { driver: 'redis', url: server.url, timeout: 300 } } });
    cache = manager.store('r');
    await cache.get('warm-up'); // the connection is ready: later counts hold the test's commands only
  });
  afterAll(async () => {
    await manager.close();
    raw.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await raw.config('RESETSTAT');
  });

  it('sends the first of concurrent gets as a GET and the rest as one MGET, each answered right (hits and misses mixed)', async () => {
    const values: unknown[] = [{ a: 1 }, 'text', 42, null, [1, 'two'], new Date(5), new Map([[1, 2]])];
    const keys = Array.from({ length: 50 }, (_, i) => `mix:${i}`);
    await cache.setMany(Object.fromEntries(keys.filter((_, i) => i % 2 === 0).map((k, n) => [k, values[n % 7]])));
    await raw.config('RESETSTAT');

    const got = await Promise.all(keys.map((k) => cache.get(k)));

    got.forEach((v, i) => expect(v).toEqual(i % 2 === 0 ? values[(i / 2) % 7] : undefined));
    const calls = await commandCalls(raw);
    expect(calls.get).toBe(1);
    expect(calls.mget).toBe(1);
  });

  it('a lone get is a plain GET, and so is each get of consecutive ticks', async () => {
    await cache.set('lone', { v: 1 });
    await raw.config('RESETSTAT');
    expect(await cache.get('lone')).toEqual({ v: 1 });
    expect(await cache.get('lone-missing')).toBeUndefined();
    expect(await cache.get('lone', 'fallback')).toEqual({ v: 1 });
    const calls = await commandCalls(raw);
    expect(calls.get).toBe(3);
    expect(calls.mget).toBeUndefined();
  });

  it('gets of the same key in one tick each get the value; a burst past the batch limit is several MGETs', async () => {
    await cache.set('same', 'v');
    const keys = Array.from({ length: MAX_BATCH * 2 + 5 }, (_, i) => (i % 3 === 0 ? 'same' : `burst:${i}`));
    await raw.config('RESETSTAT');
    const got = await Promise.all(keys.map((k) => cache.get(k)));
    got.forEach((v, i) => expect(v).toBe(i % 3 === 0 ? 'v' : undefined));
    expect((await commandCalls(raw)).mget).toBe(3);
  });

  it('one undecodable value in a batch is one miss and one counted error; the others are hits', async () => {
    await cache.setMany({ good1: 'one', good2: 'two' });
    await raw.set('co:bad', 'J{not json');
    const errors = cache.stats().errors;
    const [a, bad, b] = await Promise.all([cache.get('good1'), cache.get('bad', 'fallback'), cache.get('good2')]);
    expect([a, bad, b]).toEqual(['one', 'fallback', 'two']);
    expect(cache.stats().errors).toBe(errors + 1);
  });

  /**
   * Runs `body` on a store over a client of the test's own, warmed up, with the writes of its
   * socket recorded (the number of commands in each: see {@link countWrites}); closed after.
   */
  async function withOwnClient(prefix: string, body: (c: Cache, writes: number[]) => Promise<void>): Promise<void> {
    const client = new Redis(server.port, '127.0.0.1', { enableOfflineQueue: false, commandTimeout: 1000 });
    const own = await open({ prefix, stores: { r: { driver: 'redis', client } } });
    try {
      const c = own.store('r');
      await c.get('warm-up');
      const writes: number[] = [];
      countWrites(client, (chunks) => writes.push(chunks));
      await raw.config('RESETSTAT');
      await body(c, writes);
    } finally {
      await own.close();
      client.disconnect();
    }
  }

  it('concurrent gets: the first GET and the MGET of the others reach the socket in one write; a lone get is one write; the socket is not left corked', async () => {
    await withOwnClient('pr', async (c, writes) => {
      await c.setMany({ 'r:0': 'zero', 'r:7': { seven: 7 } });
      writes.length = 0;
      await raw.config('RESETSTAT');

      const got = await Promise.all(Array.from({ length: 30 }, (_, i) => c.get(`r:${i}`)));

      got.forEach((v, i) => expect(v).toEqual(i === 0 ? 'zero' : i === 7 ? { seven: 7 } : undefined));
      expect(writes).toEqual([2]);
      const calls = await commandCalls(raw);
      expect(calls.get).toBe(1);
      expect(calls.mget).toBe(1);

      writes.length = 0;
      expect(await c.get('r:0')).toBe('zero');
      expect(await c.get('r:7')).toEqual({ seven: 7 });
      expect(writes).toEqual([1, 1]);
      // A set in a later tick is written at once: nothing stays held on the socket.
      writes.length = 0;
      expect(await c.set('r:after', 'x')).toBe(true);
      expect(await raw.get('pr:r:after')).toBe('J"x"');
      expect(writes).toEqual([1]);
    });
  });

  it('concurrent sets: the first is written at once, the others (SETs of their own) in one socket write, each with its own value and TTL', async () => {
    await withOwnClient('pw', async (c, writes) => {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => c.set(`w:${i}`, { i }, i % 2 === 0 ? '1h' : undefined)),
      );

      expect(results.every((r) => r === true)).toBe(true);
      expect(writes).toEqual([1, 39]);
      expect((await commandCalls(raw)).set).toBe(40);
      expect(await Promise.all(Array.from({ length: 40 }, (_, i) => c.get(`w:${i}`)))).toEqual(
        Array.from({ length: 40 }, (_, i) => ({ i })),
      );
      const ttls = await Promise.all(Array.from({ length: 40 }, (_, i) => raw.pttl(`pw:w:${i}`)));
      ttls.forEach((ms, i) => (i % 2 === 0 ? expect(ms).toBeGreaterThan(3_000_000) : expect(ms).toBe(-1)));

      writes.length = 0;
      expect(await c.set('w:lone', 'x')).toBe(true);
      expect(writes).toEqual([1]);
    });
  });

  it('a burst of sets past the batch limit is one socket write per batch limit; the socket is not left corked', async () => {
    await withOwnClient('pb', async (c, writes) => {
      const n = MAX_BATCH * 2 + 5;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => c.set(`b:${i}`, i)));
      expect(results.every((r) => r === true)).toBe(true);
      // The first at once, then the followers in writes of at most MAX_BATCH commands.
      expect(writes).toEqual([1, MAX_BATCH, MAX_BATCH, 4]);
      expect((await commandCalls(raw)).set).toBe(n);
      expect(await c.get(`b:${n - 1}`)).toBe(n - 1);
      // Later ticks write at once: nothing stays held on the socket.
      writes.length = 0;
      expect(await c.set('b:after', 'x')).toBe(true);
      expect(await raw.get('pb:b:after')).toBe('J"x"');
      expect(writes).toEqual([1]);
    });
  });

  it('setMany: SETs of their own, one socket write per batch limit of entries, each with the TTL', async () => {
    await withOwnClient('pm', async (c, writes) => {
      const n = MAX_BATCH + 5;
      const entries = Object.fromEntries(Array.from({ length: n }, (_, i) => [`m:${i}`, { i }]));
      expect(await c.setMany(entries, '1h')).toBe(true);
      expect(writes).toEqual([MAX_BATCH, 5]);
      expect((await commandCalls(raw)).set).toBe(n);
      expect(await c.getMany([`m:0`, `m:${n - 1}`])).toEqual({ 'm:0': { i: 0 }, [`m:${n - 1}`]: { i: n - 1 } });
      expect(await raw.pttl(`pm:m:${n - 1}`)).toBeGreaterThan(3_000_000);
      writes.length = 0;
      expect(await c.set('m:after', 1)).toBe(true);
      expect(writes).toEqual([1]);
    });
  });

  it('sets of a batch during a stall each time out on their own and resolve false; the next batch is stored', async () => {
    const errors = cache.stats().errors;
    server.pause(true);
    let stalled: boolean[];
    try {
      stalled = await Promise.all([cache.set('t1', 1), cache.set('t2', 2), cache.set('t3', 3)]);
    } finally {
      server.pause(false);
    }
    expect(stalled).toEqual([false, false, false]);
    expect(cache.stats().errors).toBe(errors + 3);
    expect(await Promise.all([cache.set('t1', 'a'), cache.set('t2', 'b')])).toEqual([true, true]);
    expect(await Promise.all([cache.get('t1'), cache.get('t2')])).toEqual(['a', 'b']);
  });

  it('a batch during a stall: every call times out on its own and falls back; the next batch reads right', async () => {
    await cache.setMany({ s1: 'one', s2: 'two', s3: 'three' });
    const errors = cache.stats().errors;
    server.pause(true);
    let stalled: unknown[];
    try {
      stalled = await Promise.all([cache.get('s1', 'f1'), cache.get('s2', 'f2'), cache.get('s3', 'f3')]);
    } finally {
      server.pause(false);
    }
    expect(stalled).toEqual(['f1', 'f2', 'f3']);
    expect(cache.stats().errors).toBe(errors + 3);
    // The late reply of the timed-out MGET is never taken for the answer of a later batch.
    expect(await Promise.all([cache.get('s3'), cache.get('s1'), cache.get('missing'), cache.get('s2')])).toEqual([
      'three',
      'one',
      undefined,
      'two',
    ]);
  });

  it('fails open per call while Redis is down, and coalesces again once it is back', async () => {
    await cache.setMany({ o1: 1, o2: 2 });
    await server.kill();
    try {
      const errors = cache.stats().errors;
      expect(await Promise.all([cache.get('o1'), cache.get('o2', 'fb'), cache.get('o3')])).toEqual([
        undefined,
        'fb',
        undefined,
      ]);
      expect(await Promise.all([cache.set('o1', 'x'), cache.set('o2', 'y')])).toEqual([false, false]);
      expect(cache.stats().errors).toBe(errors + 5);
    } finally {
      await server.restart();
    }
    await until('the store reconnects', async () => (await cache.set('o1', 'back')) === true);
    await cache.set('o2', 'again');
    await until('the test connection is back', async () => (await raw.ping()) === 'PONG');
    await raw.config('RESETSTAT');
    expect(await Promise.all([cache.get('o1'), cache.get('o2'), cache.get('o3')])).toEqual([
      'back',
      'again',
      undefined,
    ]);
    expect((await commandCalls(raw)).mget).toBe(1);
  });
});

describe('redis store: coalescing on a cluster', () => {
  let cluster: RedisClusterHarness;
  let masters: Redis[];
  let manager: CacheManager;
  let cache: Cache;

  beforeAll(async () => {
    cluster = await RedisClusterHarness.start();
    masters = cluster.nodes.map((n) => new Redis(n.port, n.host));
    manager = await open({
      prefix: 'cc',
      stores: { r: { driver: 'redis', cluster: { nodes: cluster.nodes }, timeout: 200 } },
    });
    cache = manager.store('r');
    await cache.get('warm-up');
  }, 60_000);
  afterAll(async () => {
    await manager.close();
    for (const m of masters) m.disconnect();
    await cluster.stop();
  });

  /** Calls of each command summed over the masters. */
  async function clusterCalls(): Promise<Record<string, number>> {
    const sum: Record<string, number> = {};
    for (const node of masters) {
      for (const [name, n] of Object.entries(await commandCalls(node))) sum[name] = (sum[name] ?? 0) + n;
    }
    return sum;
  }

  /** The master that serves `key` (a user key of this cache). */
  async function masterOf(key: string): Promise<Redis> {
    const slot = keySlot(`cc:${key}`);
    const mine = await Promise.all(
      masters.map(async (node) => {
        const id = ((await node.call('cluster', 'myid')) as string).trim();
        const slots = (await node.call('cluster', 'slots')) as [number, number, [string, number, string]][];
        return slots.some(([from, to, [, , owner]]) => slot >= from && slot <= to && owner === id);
      }),
    );
    return masters[mine.indexOf(true)];
  }

  it('sends one MGET per hash slot (a GET for a slot with one key) after the first GET, each key answered right', async () => {
    const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
    const slots = new Set(tags.map((t) => keySlot(`cc:{${t}}:x`)));
    expect(slots.size).toBe(tags.length);
    const keys = tags.flatMap((t) => Array.from({ length: 8 }, (_, i) => `{${t}}:${i}`));
    const solo = 'solo';
    expect(slots.has(keySlot(`cc:${solo}`))).toBe(false);
    await cache.setMany(Object.fromEntries(keys.filter((_, i) => i % 3 !== 0).map((k) => [k, `v-${k}`])));
    await cache.set(solo, 'alone');
    await Promise.all(masters.map((m) => m.config('RESETSTAT')));

    const got = await Promise.all([...keys, solo].map((k) => cache.get(k)));

    expect(got).toEqual([...keys.map((k, i) => (i % 3 !== 0 ? `v-${k}` : undefined)), 'alone']);
    // The first key goes out alone; the other 7 of its slot, and each other slot, share an MGET.
    const calls = await clusterCalls();
    expect(calls.mget).toBe(tags.length);
    expect(calls.get).toBe(2);
    const perMaster = await Promise.all(masters.map(async (m) => (await commandCalls(m)).mget ?? 0));
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('sets of one tick across the cluster are all stored, each under its own key', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `cs:${i}`);
    await Promise.all(masters.map((m) => m.config('RESETSTAT')));
    expect(await Promise.all(keys.map((k, i) => cache.set(k, i, i % 2 ? '1h' : undefined)))).toEqual(
      keys.map(() => true),
    );
    expect((await clusterCalls()).set).toBe(60);
    const check = new Cluster(cluster.nodes);
    try {
      expect(await Promise.all(keys.map((k) => check.get(`cc:${k}`)))).toEqual(keys.map((_, i) => String(i)));
    } finally {
      check.disconnect();
    }
  });

  it('a slot whose node stalls times out alone: its keys miss, the keys of the other nodes hit', async () => {
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const keys = tags.flatMap((t) => [`{${t}}:p1`, `{${t}}:p2`]);
    await cache.setMany(Object.fromEntries(keys.map((k) => [k, `v-${k}`])));
    const stalled = await masterOf(keys[0]);
    const owners = await Promise.all(keys.map((k) => masterOf(k)));
    const onStalled = owners.map((o) => o === stalled);
    expect(onStalled.some((x) => !x)).toBe(true);
    const errors = cache.stats().errors;
    // CLIENT PAUSE stops the node's clients, not the cluster bus: the cluster stays healthy.
    await stalled.call('client', 'pause', '4000', 'ALL');
    let got: unknown[];
    try {
      got = await Promise.all(keys.map((k) => cache.get(k, 'timed-out')));
    } finally {
      const probe = new Redis(stalled.options.port!, '127.0.0.1');
      await until('the pause ends', async () => (await probe.ping()) === 'PONG').finally(() => probe.disconnect());
    }
    expect(got).toEqual(keys.map((k, i) => (onStalled[i] ? 'timed-out' : `v-${k}`)));
    expect(cache.stats().errors).toBe(errors + onStalled.filter(Boolean).length);
  }, 30_000);
});
