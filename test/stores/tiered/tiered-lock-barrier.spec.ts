/**
 * A lock on a two-tier store gives its holder a coherent view: instance A writes `k` under the
 * lock and releases it; instance B takes the lock and reads `k` while A's invalidation is still on
 * its way to B. Without the barrier B's L1 answered with the old value inside the critical section
 * (the intermittent 399/400 of cache-lock-processes.spec on two-tier); with it, taking the lock
 * waits for the bus to settle (Redis: a PING on the subscriber connection; Postgres: a NOTIFY to
 * its own channel, awaited), or empties L1 when it cannot.
 *
 * Deterministic, on a real redis-server (own port) and the machine's PostgreSQL: B's bus
 * connection goes through a loopback proxy that holds back what the server sends on it (the
 * message is held, for sure, when B takes the lock) and lets it go when B's barrier arrives on
 * that connection; in the second case never, so the barrier times out and L1 is emptied. Where
 * there is no barrier (a custom bus without settle(), a Redis Cluster bus) L1 is emptied when the
 * lock is taken. Nothing is timed: the proxy is polled with generous caps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createCacheManager, type Cache, type CacheManager, type CacheManagerOptions } from '../../../src';
import { HeldProxy } from '../../support/held-proxy';
import { LocalHub } from '../../support/local-bus';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { RedisClusterHarness, RedisServer } from '../../support/redis-server';
import { eventually } from '../../support/tiered-coherence';

jest.setTimeout(60_000);

const until = (check: () => boolean | Promise<boolean>, what: string) => eventually(async () => check(), what, 30_000);

interface App {
  cache: Cache;
  warnings: string[];
}

const managers: CacheManager[] = [];
const proxies: HeldProxy[] = [];
afterEach(async () => {
  for (const p of proxies) p.release();
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

async function app(options: CacheManagerOptions): Promise<App> {
  const warnings: string[] = [];
  const manager = createCacheManager({
    ...options,
    logger: { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) },
  });
  managers.push(manager);
  await manager.ready();
  const cache = manager.default;
  await until(async () => (await cache.health()).near.status === 'up', 'the bus is subscribed');
  return { cache, warnings };
}

interface Backend {
  /** Options of an app; B's bus connection goes to `port` when given (the proxy). */
  options(prefix: string, port?: number): CacheManagerOptions;
  /** The server's port, which the proxy forwards to. */
  port(): number;
  /** What the client sends on the bus connection to subscribe, and as the barrier. */
  watch: RegExp;
  barrier: RegExp;
}

let redis: RedisServer;
let schema: string;
beforeAll(async () => {
  redis = await RedisServer.start();
  schema = schemaName('lockbar');
});
afterAll(async () => {
  await redis?.stop();
  await dropSchema(schema);
});

const tiered = (l2: Record<string, unknown>, bus?: object | false): CacheManagerOptions['stores'] => ({
  l1: { driver: 'memory' },
  l2: l2 as { driver: 'redis' },
  near: { driver: 'tiered', tiers: ['l1', 'l2'], ...(bus === undefined ? {} : { bus }) },
});

const BACKENDS: [string, Backend][] = [
  [
    'Redis pub/sub',
    {
      options: (prefix, port) => ({
        prefix,
        default: 'near',
        stores: tiered(
          { driver: 'redis', url: redis.url },
          port === undefined ? undefined : { url: `redis://127.0.0.1:${port}` },
        ),
      }),
      port: () => redis.port,
      watch: /subscribe/i,
      barrier: /ping/i,
    },
  ],
  [
    'Postgres LISTEN/NOTIFY',
    {
      // The Postgres bus is the L2's own connection: B's whole L2 goes through the proxy.
      options: (prefix, port) => ({
        prefix,
        default: 'near',
        stores: tiered({
          driver: 'postgres',
          url: port === undefined ? PG_URL : PG_URL.replace(':5432/', `:${port}/`),
          schema,
          options: { max: 3, application_name: 'cachekit-test-lock-barrier' },
        }),
      }),
      port: () => 5432,
      watch: /LISTEN/,
      barrier: /pg_notify/,
    },
  ],
];

describe.each(BACKENDS)('a lock on a two-tier store over %s', (_name, backend) => {
  async function pair(): Promise<{ a: App; b: App; proxy: HeldProxy }> {
    const prefix = `lockbar-${randomBytes(4).toString('hex')}`;
    const proxy = await HeldProxy.start(backend.port(), backend.watch);
    proxies.push(proxy);
    const [a, b] = await Promise.all([app(backend.options(prefix)), app(backend.options(prefix, proxy.port))]);
    await until(() => proxy.watchedConnections > 0, "B's bus subscribed through the proxy");
    await a.cache.set('k', 1);
    expect(await b.cache.get('k')).toBe(1); // now in B's L1
    return { a, b, proxy };
  }

  /** A writes k = 2 under the lock and releases it; resolves once A's invalidation is held. */
  async function writeUnderLock(a: App, proxy: HeldProxy): Promise<void> {
    expect(await a.cache.lock('k-lock').get(() => a.cache.set('k', 2))).toBe(true);
    await until(() => proxy.heldBytes > 0, "A's invalidation reached the proxy");
  }

  it("the holder reads the previous holder's write though the invalidation has not arrived yet", async () => {
    const { a, b, proxy } = await pair();
    proxy.hold(backend.barrier);
    await writeUnderLock(a, proxy);
    // Without the barrier: 1, from B's L1 (the message is still held).
    expect(await b.cache.lock('k-lock').get(() => b.cache.get('k'))).toBe(2);
    expect(proxy.releasedBy).toBe(1); // it was B's barrier on the bus connection that let it through
    expect(b.warnings).toEqual([]);
    // B's L1 is still in use: the message dropped k, and the next read copies 2 again.
    expect(await b.cache.get('k')).toBe(2);
  });

  it('a barrier that cannot complete (messages held): L1 is emptied, the holder reads L2, a warning', async () => {
    const { a, b, proxy } = await pair();
    proxy.hold(); // until released: the barrier times out (the store's timeout)
    await writeUnderLock(a, proxy);
    expect(await b.cache.lock('k-lock').get(() => b.cache.get('k'))).toBe(2);
    expect(b.warnings.join('\n')).toMatch(
      /Cache store "near": could not wait for the invalidations sent before a lock was taken \(.*\); L1 emptied/,
    );
    proxy.release();
  });
});

describe('a lock on a two-tier store whose bus has no settle()', () => {
  it('empties L1 when the lock is taken', async () => {
    const hub = new LocalHub();
    const [busA, busB] = [hub.bus(), hub.bus()];
    const options = (bus: object): CacheManagerOptions => ({
      prefix: `lockbar-${randomBytes(4).toString('hex')}`,
      default: 'near',
      stores: tiered({ driver: 'redis', url: redis.url }, bus),
    });
    const prefix = `lockbar-${randomBytes(4).toString('hex')}`;
    const [a, b] = await Promise.all([app({ ...options(busA), prefix }), app({ ...options(busB), prefix })]);
    await a.cache.set('k', 1);
    expect(await b.cache.get('k')).toBe(1);
    busA.cut(); // A's next invalidation never leaves: B's L1 keeps the old copy
    await a.cache.set('k', 2);
    expect(await b.cache.get('k')).toBe(1);
    expect(await b.cache.lock('k-lock').get(() => b.cache.get('k'))).toBe(2);
  });
});

describe('a lock on a two-tier store over a Redis Cluster (no barrier: a message may travel between nodes)', () => {
  let cluster: RedisClusterHarness;
  beforeAll(async () => {
    cluster = await RedisClusterHarness.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('empties L1 when the lock is taken', async () => {
    const prefix = `lockbar-${randomBytes(4).toString('hex')}`;
    const l2 = { driver: 'redis', cluster: { nodes: cluster.nodes } };
    // A announces nothing (bus: false), as a message still between nodes would leave B.
    const [a, b] = await Promise.all([
      app({ prefix, default: 'near', stores: tiered(l2, false) }),
      app({ prefix, default: 'near', stores: tiered(l2) }),
    ]);
    await a.cache.set('k', 1);
    expect(await b.cache.get('k')).toBe(1);
    await a.cache.set('k', 2);
    expect(await b.cache.get('k')).toBe(1); // B's L1
    expect(await b.cache.lock('k-lock').get(() => b.cache.get('k'))).toBe(2);
    expect(b.warnings).toEqual([]); // expected on a Cluster: not a failure
  });
});
