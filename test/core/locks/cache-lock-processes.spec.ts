/**
 * Locks and funnels across real processes, on every store that shares state between them:
 * 4 processes × 100 lock-protected read-modify-write cycles give an exact total; 2 processes on a
 * funnel of 3 never have more than 3 runs at once; a holder SIGKILLed while holding leaves the
 * lock free after its TTL. On Redis (single, Cluster, Sentinel), the file store and two-tier
 * (memory + Redis, memory + Postgres: the holder reads what the last holder wrote, through the
 * barrier of docs/stores-tiered.md#locks; an L1 copy read before the invalidation arrived lost
 * one increment, 399 of 400). Postgres in its own schema, dropped afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type CacheManagerOptions } from '../../../src';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { RedisClusterHarness, RedisSentinelHarness, RedisServer } from '../../support/redis-server';

const WORKER = join(process.cwd(), 'test', 'fixtures', 'lock-worker.ts');

function run(command: Record<string, unknown>): {
  result: Promise<Record<string, unknown>>;
  kill(): void;
  printed(line: string): Promise<void>;
} {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', WORKER, JSON.stringify(command)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lineWaiters: [string, () => void][] = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    for (const [line, resolve] of lineWaiters) if (out.split('\n').includes(line)) resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const result = new Promise<Record<string, unknown>>((resolve, reject) =>
    child.on('close', (code, signal) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>)
        : reject(new Error(`worker exited with ${code ?? signal}: ${err}`)),
    ),
  );
  return {
    result,
    kill: () => child.kill('SIGKILL'),
    printed: (line) => new Promise<void>((resolve) => lineWaiters.push([line, resolve])),
  };
}

let redis: RedisServer;
let cluster: RedisClusterHarness;
let sentinel: RedisSentinelHarness;
let directory: string;
const schema = schemaName('locks');
beforeAll(async () => {
  // One after the other: free ports are picked before binding, so concurrent starts could collide.
  redis = await RedisServer.start();
  cluster = await RedisClusterHarness.start();
  sentinel = await RedisSentinelHarness.start();
  directory = mkdtempSync(join(tmpdir(), 'cachekit-locks-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), cluster?.stop(), sentinel?.stop()]);
  if (directory) rmSync(directory, { recursive: true, force: true });
  await dropSchema(schema);
});

let prefixes = 0;
const setups: [string, () => CacheManagerOptions][] = [
  ['redis', () => ({ prefix: `p${++prefixes}`, default: 'r', stores: { r: { driver: 'redis', url: redis.url } } })],
  [
    'redis cluster',
    () => ({
      prefix: `p${++prefixes}`,
      default: 'c',
      stores: { c: { driver: 'redis', cluster: { nodes: cluster.nodes } } },
    }),
  ],
  [
    'redis sentinel',
    () => ({
      prefix: `p${++prefixes}`,
      default: 's',
      stores: {
        s: { driver: 'redis', sentinel: { sentinels: sentinel.sentinels, name: RedisSentinelHarness.masterName } },
      },
    }),
  ],
  [
    'file',
    () => ({ prefix: `p${++prefixes}`, default: 'f', stores: { f: { driver: 'file', directory, pruneInterval: 0 } } }),
  ],
  [
    'two-tier (memory + redis)',
    () => ({
      prefix: `p${++prefixes}`,
      default: 'near',
      stores: {
        mem: { driver: 'memory' },
        r: { driver: 'redis', url: redis.url },
        near: { driver: 'tiered', tiers: ['mem', 'r'] },
      },
    }),
  ],
  [
    'two-tier (memory + postgres)',
    () => ({
      prefix: `p${++prefixes}`,
      default: 'near',
      stores: {
        mem: { driver: 'memory' },
        pg: { driver: 'postgres', url: PG_URL, schema, options: { max: 3 } },
        near: { driver: 'tiered', tiers: ['mem', 'pg'] },
      },
    }),
  ],
];

describe.each(setups)('locks across processes on %s', (_name, setup) => {
  it('4 processes × 100 lock-protected read-modify-write cycles: the total is exact', async () => {
    const options = setup();
    const workers = Array.from({ length: 4 }, () => run({ op: 'cycles', options, count: 100 }));
    await Promise.all(workers.map((w) => w.result));
    const manager = createCacheManager(options);
    try {
      expect(await manager.get('counter')).toBe(400);
    } finally {
      await manager.close();
    }
  }, 300_000);

  it('2 processes on a funnel of 3 never have more than 3 runs at once', async () => {
    const options = setup();
    const [a, b] = [0, 1].map(() => run({ op: 'funnel', options, count: 8, limit: 3, holdMs: 30 }));
    const results = await Promise.all([a.result, b.result]);
    const highest = Math.max(...results.map((r) => r.highest as number));
    expect(highest).toBeLessThanOrEqual(3);
    expect(highest).toBeGreaterThanOrEqual(2); // the funnel did let several runs in at once
  }, 120_000);

  it('a holder SIGKILLed while holding: the lock is free again after its TTL', async () => {
    const options = setup();
    // Connected before the lease starts, so that no connection time (over a second for Sentinel
    // on a loaded machine) eats into it; a 5 s lease leaves the one check below ample time.
    const manager = createCacheManager(options);
    try {
      await manager.ready();
      for (let i = 0; i < 600 && !Object.values(await manager.health()).every((h) => h.status === 'up'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const holder = run({ op: 'hold', options, ttl: 5 });
      await Promise.race([
        holder.printed('held'),
        holder.printed('not held').then(() => Promise.reject(new Error('the holder could not take the lock'))),
      ]);
      holder.kill();
      await holder.result.catch(() => undefined);
      expect(await manager.lock('crash-lock').get()).toBe(false); // still held by the dead process
      expect(await manager.lock('crash-lock').block('60s')).toBe(true); // free once its lease ran out
    } finally {
      await manager.close();
    }
  }, 120_000);
});
