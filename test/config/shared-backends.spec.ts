/**
 * Which configured stores can share a backend, the pairs whose nested namespaces are warned about
 * at start-up: the same driver over the same address, directory, table or object; a two-tier
 * store through its tiers; a custom store with anything but a built-in memory store. Decided from
 * the configuration alone (no store is created here).
 */
import { mayShareBackend } from '../../src/config/shared-backends';
import type { StoreConfig } from '../../src/config/cache-options';
import type { CacheStore } from '../../src';

const custom = (): CacheStore => ({
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => false,
  clear: async () => undefined,
});

const share = (a: StoreConfig, b: StoreConfig, others: Record<string, StoreConfig> = {}) =>
  mayShareBackend('a', 'b', { a, b, ...others });

describe('mayShareBackend', () => {
  it('never across drivers: file, Redis, PostgreSQL, Keyv, memory', () => {
    const configs: StoreConfig[] = [
      { driver: 'file', directory: '/tmp/cache' },
      { driver: 'redis', url: 'redis://127.0.0.1:6379' },
      { driver: 'postgres', url: 'postgres://127.0.0.1:5432/test' },
      { driver: 'keyv', store: new Map() },
      { driver: 'memory' },
    ];
    for (const a of configs)
      for (const b of configs)
        if (a !== b) expect([a.driver, b.driver, share(a, b)]).toEqual([a.driver, b.driver, false]);
  });

  it('memory: each built-in memory store is an instance of its own', () => {
    expect(share({ driver: 'memory' }, { driver: 'memory' })).toBe(false);
  });

  it('file: the same directory however it is written, not another one', () => {
    expect(
      share({ driver: 'file', directory: 'cache/' }, { driver: 'file', directory: `${process.cwd()}/cache` }),
    ).toBe(true);
    expect(share({ driver: 'file', directory: '/tmp/a' }, { driver: 'file', directory: '/tmp/b' })).toBe(false);
  });

  it('redis: the same server and db, through url, options, client, cluster or sentinel', () => {
    const url = (u: string): StoreConfig => ({ driver: 'redis', url: u });
    expect(share(url('redis://localhost:6379'), { driver: 'redis', options: { host: '127.0.0.1' } })).toBe(true);
    expect(share(url('redis://127.0.0.1:6379/0'), url('redis://127.0.0.1'))).toBe(true);
    expect(share(url('redis://127.0.0.1:6379/1'), url('redis://127.0.0.1:6379/2'))).toBe(false);
    expect(share(url('redis://127.0.0.1:6379'), url('redis://127.0.0.1:6380'))).toBe(false);
    expect(share(url('redis://cache-a:6379'), url('redis://cache-b:6379'))).toBe(false);
    // ioredis takes what the URL gives first, then what it leaves out from the options.
    const merged = (u: string, options: object): StoreConfig => ({ driver: 'redis', url: u, options });
    expect(share(url('redis://127.0.0.1:6379/1'), merged('redis://127.0.0.1:6379/1', { db: 2 }))).toBe(true);
    expect(share(url('redis://127.0.0.1:6379/2'), merged('redis://127.0.0.1', { db: 2 }))).toBe(true);
    expect(share(url('redis://127.0.0.1:6379/0'), merged('redis://127.0.0.1', { port: 6380 }))).toBe(false);
    const client = { duplicate: () => client, options: { host: 'localhost', port: 6379, db: 0 } };
    expect(share({ driver: 'redis', client: client as never }, { driver: 'redis', client: client as never })).toBe(
      true,
    );
    expect(share({ driver: 'redis', client: client as never }, url('redis://127.0.0.1:6379'))).toBe(true);
    expect(share({ driver: 'redis', client: client as never }, url('redis://127.0.0.1:6379/3'))).toBe(false);
    const cluster = (nodes: unknown[]): StoreConfig => ({ driver: 'redis', cluster: { nodes: nodes as never } });
    expect(share(cluster(['10.0.0.1:7000', '10.0.0.2:7000']), cluster([{ host: '10.0.0.2', port: 7000 }]))).toBe(true);
    expect(share(cluster(['10.0.0.1:7000']), cluster(['10.0.0.3:7000']))).toBe(false);
    const sentinel = (name: string): StoreConfig => ({
      driver: 'redis',
      sentinel: { name, sentinels: [{ host: '10.0.0.9', port: 26379 }] },
    });
    expect(share(sentinel('main'), sentinel('main'))).toBe(true);
    expect(share(sentinel('main'), sentinel('other'))).toBe(false);
  });

  it('postgres: the same table of the same database', () => {
    const pg = (extra: object): StoreConfig => ({ driver: 'postgres', url: 'postgres://u@localhost/test', ...extra });
    expect(share(pg({}), { driver: 'postgres', options: { host: '127.0.0.1', port: 5432, database: 'test' } })).toBe(
      true,
    );
    expect(share(pg({ table: 'a' }), pg({ table: 'b' }))).toBe(false);
    expect(share(pg({ schema: 's1' }), pg({ schema: 's2' }))).toBe(false);
    expect(share(pg({}), { driver: 'postgres', url: 'postgres://u@localhost/other' })).toBe(false);
    const pool = { query: async () => ({ rows: [] }) };
    expect(share({ driver: 'postgres', pool }, { driver: 'postgres', pool })).toBe(true);
    expect(share({ driver: 'postgres', pool }, { driver: 'postgres', pool, table: 'other' })).toBe(false);
  });

  it('keyv: the same Keyv instance, adapter or Map', () => {
    const map = new Map();
    const adapter = {
      get: async () => undefined,
      set: async () => undefined,
      delete: async () => true,
      clear: async () => undefined,
    };
    const keyvOver = (store: object) => ({
      store,
      get: adapter.get,
      set: adapter.set,
      delete: adapter.delete,
      clear: adapter.clear,
    });
    expect(share({ driver: 'keyv', store: map }, { driver: 'keyv', store: map })).toBe(true);
    expect(share({ driver: 'keyv', store: new Map() }, { driver: 'keyv', store: new Map() })).toBe(false);
    expect(
      share({ driver: 'keyv', store: keyvOver(adapter) as never }, { driver: 'keyv', store: adapter as never }),
    ).toBe(true);
  });

  it('tiered: through its tiers', () => {
    const stores: Record<string, StoreConfig> = {
      mem: { driver: 'memory' },
      l2: { driver: 'redis', url: 'redis://127.0.0.1:6379' },
      near: { driver: 'tiered', tiers: ['mem', 'l2'] },
      sameRedis: { driver: 'redis', url: 'redis://localhost' },
      disk: { driver: 'file', directory: '/tmp/cache' },
      otherMem: { driver: 'memory' },
    };
    expect(mayShareBackend('near', 'mem', stores)).toBe(true);
    expect(mayShareBackend('near', 'sameRedis', stores)).toBe(true);
    expect(mayShareBackend('near', 'disk', stores)).toBe(false);
    expect(mayShareBackend('near', 'otherMem', stores)).toBe(false);
  });

  it('custom stores: unknown, so with anything but a built-in memory store', () => {
    expect(share({ driver: custom() }, { driver: custom() })).toBe(true);
    expect(share({ driver: custom() }, { driver: 'redis', url: 'redis://127.0.0.1:6379' })).toBe(true);
    expect(share({ driver: () => custom() }, { driver: 'file', directory: '/tmp/cache' })).toBe(true);
    expect(share({ driver: custom() }, { driver: 'memory' })).toBe(false);
  });
});
