/**
 * CacheThrottlerStorage's rules and atomic step: hit for hit the same records as @nestjs/throttler's
 * in-memory storage (memory and file stores, on one manual clock); the Redis script gives what
 * `throttleStep` gives (on fixed clocks); one script call per hit on Redis (INFO commandstats of a
 * dedicated server); concurrent hits from two caches on one Redis, Postgres or file store allow
 * exactly the limit; a block ends and the count starts afresh (bounded polling on real clocks);
 * what a hit answers in an outage; the fallback for stores without an atomic step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  CacheArgumentError,
  createCacheManager,
  throttleStep,
  type CacheManager,
  type CacheManagerOptions,
  type CacheStore,
  type ThrottleHit,
} from '../../src';
import { THROTTLE } from '../../src/stores/redis/redis.throttle';
import { ManualClock } from '../../src/testing';
import { CacheThrottlerStorage, type CacheThrottlerRecord } from '../../src/throttler';
import { dropSchema, PG_URL, schemaName } from '../support/postgres';
import { freePort, RedisClusterHarness, RedisServer } from '../support/redis-server';

const run = promisify(execFile);
const quiet = { warn: () => undefined, error: () => undefined };

let redis: RedisServer;
let cluster: RedisClusterHarness;
let directory: string;
const schemas: string[] = [];
const managers: CacheManager[] = [];
beforeAll(async () => {
  // One after the other: free ports are picked before binding.
  redis = await RedisServer.start();
  cluster = await RedisClusterHarness.start();
  directory = mkdtempSync(join(tmpdir(), 'cachekit-throttle-'));
}, 60_000);
afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
  if (directory) rmSync(directory, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

let prefixes = 0;
function manager(options: CacheManagerOptions): CacheManager {
  const m = createCacheManager({ logger: quiet, ...options });
  managers.push(m);
  return m;
}

/** Two managers (two connections, two store instances) over one backend, and the store name. */
const shared: [string, () => CacheManagerOptions][] = [
  ['redis', () => ({ prefix: `t${++prefixes}`, stores: { s: { driver: 'redis', url: redis.url } } })],
  [
    'redis cluster',
    () => ({ prefix: `t${++prefixes}`, stores: { s: { driver: 'redis', cluster: { nodes: cluster.nodes } } } }),
  ],
  [
    'two-tier (memory + redis)',
    () => ({
      prefix: `t${++prefixes}`,
      stores: {
        mem: { driver: 'memory' },
        r: { driver: 'redis', url: redis.url },
        s: { driver: 'tiered', tiers: ['mem', 'r'] },
      },
    }),
  ],
  [
    'postgres',
    () => {
      const schema = schemaName('thr');
      schemas.push(schema);
      return { prefix: `t${++prefixes}`, stores: { s: { driver: 'postgres', url: PG_URL, schema, timeout: 10_000 } } };
    },
  ],
  ['file', () => ({ prefix: `t${++prefixes}`, stores: { s: { driver: 'file', directory, pruneInterval: 0 } } })],
];

describe('CacheThrottlerStorage: the throttler’s own rules', () => {
  it('answers what @nestjs/throttler’s in-memory storage answers, hit for hit (memory and file stores)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-throttle-ref-'));
    try {
      const fixture = join(process.cwd(), 'test', 'fixtures', 'throttler-reference.ts');
      const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', fixture, dir, '3000']);
      const { steps, blocked, mismatches } = JSON.parse(stdout.trim().split('\n').pop()!) as {
        steps: number;
        blocked: number;
        mismatches: unknown[];
      };
      expect(mismatches).toEqual([]);
      expect(steps).toBe(3000);
      // The sequence exercised both outcomes, not only one of them.
      expect(blocked).toBeGreaterThan(300);
      expect(steps - blocked).toBeGreaterThan(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the Redis script gives what throttleStep gives, step for step (on fixed clocks)', async () => {
    const client = new Redis(redis.url);
    try {
      const hits: (ThrottleHit & { key: string })[] = [
        { key: 'sliding', ttlMs: 3000, limit: 3, blockMs: 0 },
        { key: 'blocking', ttlMs: 3000, limit: 3, blockMs: 5000 },
        { key: 'short', ttlMs: 2000, limit: 1, blockMs: 700 },
        { key: 'none', ttlMs: 1000, limit: 0, blockMs: 0 },
        { key: 'none-blocking', ttlMs: 1000, limit: 0, blockMs: 1500 },
      ];
      // Expiry on the same fixed clock on both sides: the script's PEXPIRE runs on Redis's real
      // clock, so the key is made persistent and dropped here when the model drops its record.
      const records = new Map<string, { record: unknown; until: number }>();
      let now = 1_750_000_000_000;
      let seed = 7;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 1500; i++) {
        const r = next();
        now += r < 0.4 ? 0 : r < 0.85 ? Math.floor(next() * 400) : Math.floor(next() * 4000);
        const hit = hits[Math.floor(next() * hits.length)];
        const key = `script:${hit.key}`;
        const kept = records.get(hit.key);
        if (kept && kept.until <= now) {
          records.delete(hit.key);
          await client.del(key);
        }
        const step = throttleStep(records.get(hit.key)?.record, hit, now);
        records.set(hit.key, { record: step.record, until: now + step.keepMs });
        const args = [hit.ttlMs, hit.limit, hit.blockMs, now].map(String);
        const reply = (await client.eval(THROTTLE.source, 1, key, ...args)) as number[];
        await client.persist(key);
        const { totalHits, isBlocked, expiresInMs, blockExpiresInMs } = step.result;
        expect({ i, reply }).toEqual({ i, reply: [totalHits, isBlocked ? 1 : 0, expiresInMs, blockExpiresInMs] });
      }
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('blocks for blockDuration without counting, then counts afresh; limit 0 refuses every hit', async () => {
    const clock = new ManualClock();
    const m = manager({ clock, prefix: 'rules' });
    const storage = new CacheThrottlerStorage(m);
    const hit = () => storage.increment('client', 10_000, 2, 4_000, 'default');
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toEqual({ totalHits: 2, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toEqual({ totalHits: 3, timeToExpire: 10, isBlocked: true, timeToBlockExpire: 4 });
    clock.advance('1s');
    expect(await hit()).toEqual({ totalHits: 3, timeToExpire: 9, isBlocked: true, timeToBlockExpire: 3 });
    clock.advance('3s'); // the block is over: this hit is the first of a fresh count
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 6, isBlocked: false, timeToBlockExpire: 0 });
    // Without blockDuration: refused while `limit` hits count, free when the oldest expires.
    const nb = () => storage.increment('nb', 3_000, 2, 0, 'default');
    await nb();
    clock.advance('1s');
    await nb();
    expect(await nb()).toEqual({ totalHits: 3, timeToExpire: 2, isBlocked: true, timeToBlockExpire: 2 });
    clock.advance('2s');
    expect(await nb()).toMatchObject({ totalHits: 2, isBlocked: false });
    // limit 0 refuses every hit, with or without a block.
    for (let i = 0; i < 3; i++) {
      expect((await storage.increment('zero', 1_000, 0, 500, 'default')).isBlocked).toBe(true);
      expect((await storage.increment('zero', 1_000, 0, 0, 'default')).isBlocked).toBe(true);
      clock.advance('600ms'); // past the block, within the hit's life
    }
    // Another throttler name counts on its own.
    expect((await storage.increment('client', 10_000, 2, 4_000, 'burst')).totalHits).toBe(1);
  });

  it('refuses bad hits and options with CacheArgumentError naming the throttler or option', async () => {
    const storage = new CacheThrottlerStorage(manager({ prefix: 'bad' }));
    await expect(storage.increment('k', 0, 1, 0, 'default')).rejects.toThrow(
      /throttler "default": ttl must be a positive/,
    );
    await expect(storage.increment('k', 1000, -1, 0, 'api')).rejects.toThrow(/throttler "api": limit must be/);
    await expect(storage.increment('k', 1000, 1, Number.NaN, 'api')).rejects.toThrow(CacheArgumentError);
    await expect(storage.increment('', 1000, 1, 0, 'api')).rejects.toThrow(/key must be a non-empty string/);
    expect(() => new CacheThrottlerStorage(manager({ prefix: 'bad2' }), { whenUnavailable: 'deny' as never })).toThrow(
      /whenUnavailable option of CacheThrottlerStorage: expected 'allow' or 'block', got "deny"/,
    );
  });
});

describe.each(shared)('CacheThrottlerStorage on %s', (name, setup) => {
  it('concurrent hits from two caches on one backend allow exactly the limit', async () => {
    const options = setup();
    const [a, b] = [manager(options), manager(options)].map((m) => new CacheThrottlerStorage(m.store('s')));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).increment('shared', 60_000, 10, 60_000, 'default')),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
    expect(results.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire > 0)).toBe(true);
    // Each allowed hit saw a different count: 1..10.
    const counts = results.filter((r) => !r.isBlocked).map((r) => r.totalHits);
    expect(counts.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  }, 60_000);

  it(`a block ends after blockDuration and the next hit counts afresh (${name}'s clock)`, async () => {
    const storage = new CacheThrottlerStorage(manager(setup()).store('s'));
    const hit = () => storage.increment('blocked', 60_000, 1, 300, 'default');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: true, timeToBlockExpire: 1 });
    let last: CacheThrottlerRecord = await hit();
    for (let i = 0; i < 200 && last.isBlocked; i++) {
      expect(last.totalHits).toBe(2); // hits during the block are not counted
      await new Promise((r) => setTimeout(r, 25));
      last = await hit();
    }
    expect(last).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
  }, 30_000);
});

describe('CacheThrottlerStorage on Redis: one script per hit', () => {
  it('every hit is one EVALSHA and nothing else (MONITOR and INFO commandstats of a dedicated server)', async () => {
    const own = await RedisServer.start();
    const watcher = new Redis(own.url);
    try {
      const m = manager({ prefix: 'counted', stores: { r: { driver: 'redis', url: own.url } } });
      const storage = new CacheThrottlerStorage(m.store('r'));
      await storage.increment('warm', 60_000, 5, 0, 'default'); // loads the script (EVAL once)
      // Commands as clients sent them ("lua": run inside a script, not a round trip).
      const sent: string[] = [];
      const monitor = await watcher.monitor();
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua') sent.push(args[0].toLowerCase());
      });
      await own.cli('config', 'resetstat');
      for (let i = 0; i < 20; i++) await storage.increment('counted', 60_000, 5, 60_000, 'default');
      for (let i = 0; i < 10; i++) await storage.increment('sliding', 60_000, 3, 0, 'default');
      // A marker after the hits: once MONITOR shows it, it has shown every hit.
      await own.cli('echo', 'end-of-hits');
      for (let i = 0; i < 500 && !sent.includes('echo'); i++) await new Promise((r) => setTimeout(r, 10));
      monitor.disconnect();
      expect(sent.filter((c) => c !== 'config' && c !== 'echo')).toEqual(Array(30).fill('evalsha'));
      const stats = await own.cli('info', 'commandstats');
      expect(stats).toMatch(/cmdstat_evalsha:calls=30,/);
      expect(stats).not.toMatch(/cmdstat_eval:/);
    } finally {
      watcher.disconnect();
      await own.stop();
    }
  }, 30_000);
});

describe('CacheThrottlerStorage in an outage', () => {
  async function downCache(): Promise<CacheManager> {
    const port = await freePort(); // nothing listens there
    const m = manager({ prefix: 'down', stores: { r: { driver: 'redis', url: `redis://127.0.0.1:${port}` } } });
    await m.ready();
    return m;
  }

  it('lets the request through by default (fail open), logging and counting the failure', async () => {
    const m = await downCache();
    const storage = new CacheThrottlerStorage(m.store('r'));
    for (let i = 0; i < 3; i++) {
      expect(await storage.increment('k', 60_000, 1, 0, 'default')).toEqual({
        totalHits: 0,
        timeToExpire: 60,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    expect(m.store('r').stats().errors).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("refuses it with whenUnavailable: 'block' (fail closed), for a window", async () => {
    const m = await downCache();
    const storage = new CacheThrottlerStorage(m.store('r'), { whenUnavailable: 'block' });
    expect(await storage.increment('k', 60_000, 5, 30_000, 'default')).toEqual({
      totalHits: 6,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
  }, 30_000);
});

describe('CacheThrottlerStorage on a store without an atomic step', () => {
  it('counts with the cache API in fixed windows (exact where increment is atomic)', async () => {
    const data = new Map<string, { v: unknown; until?: number }>();
    const live = (k: string) => {
      const e = data.get(k);
      return e && (e.until === undefined || e.until > Date.now()) ? e : undefined;
    };
    const store: CacheStore = {
      get: async (k) => live(k)?.v,
      set: async (k, v, ttlMs) => void data.set(k, { v, until: ttlMs === undefined ? undefined : Date.now() + ttlMs }),
      delete: async (k) => data.delete(k),
      clear: async () => data.clear(),
    };
    const m = manager({ prefix: 'plain', stores: { plain: { driver: store } } });
    const storage = new CacheThrottlerStorage(m.store('plain'));
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await storage.increment('k', 60_000, 2, 30_000, 'default'));
    expect(answers.map((a) => [a.totalHits, a.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [3, true],
    ]);
    expect(answers[2].timeToBlockExpire).toBe(30);
  });
});
