/**
 * createCacheManager warns at start-up about stores whose namespaces nest (`shop` contains
 * `shop:sessions`) when they can share a backend, where `clear()` of the outer one would remove
 * the inner one's keys. A built-in memory store is an instance of its own: it shares a backend
 * only with a two-tier store that has it as a tier, so `memory` beside a prefixed Redis or custom
 * store (the common configuration) is not warned about; stores of different drivers never share
 * one, stores of one driver when they use the same server, directory, table or object
 * (test/config/shared-backends.spec.ts has every rule). Real Redis at 127.0.0.1:6379.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type CacheManagerOptions, type CacheStore } from '../../src';

function mapStore(): CacheStore {
  const map = new Map<string, unknown>();
  return {
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    delete: async (k) => map.delete(k),
    clear: async () => map.clear(),
  };
}

async function nestingWarnings(options: CacheManagerOptions): Promise<string[]> {
  const warnings: string[] = [];
  const manager = createCacheManager({ ...options, logger: { warn: (m) => warnings.push(m), error: () => undefined } });
  await manager.close();
  return warnings.filter((w) => w.includes('contains'));
}

describe('warnings about nested namespaces at start-up', () => {
  it('none for a built-in memory store beside a prefixed store it cannot share a backend with', async () => {
    const warnings = await nestingWarnings({
      prefix: 'shop',
      stores: { memory: { driver: 'memory' }, sessions: { driver: mapStore(), prefix: 'sessions' } },
    });
    expect(warnings).toEqual([]);
  });

  it('still one for two stores that may share a backend', async () => {
    const warnings = await nestingWarnings({
      prefix: 'shop',
      stores: { a: { driver: mapStore() }, b: { driver: mapStore(), prefix: 'v2' } },
    });
    expect(warnings).toEqual([
      expect.stringContaining('Cache stores "a" and "b": namespace "shop" contains "shop:v2"'),
    ]);
  });

  it('still one for a memory store that is a tier of a two-tier store nested in it', async () => {
    const warnings = await nestingWarnings({
      prefix: 'shop',
      stores: {
        mem: { driver: 'memory' },
        l2: { driver: mapStore(), prefix: 'l2' },
        near: { driver: 'tiered', tiers: ['mem', 'l2'], prefix: 'near', bus: false },
      },
    });
    expect(warnings).toEqual([
      expect.stringContaining('Cache stores "mem" and "near": namespace "shop" contains "shop:near"'),
    ]);
  });

  describe('by backend', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'cachekit-nested-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('none for a file store or a Keyv Map beside a prefixed Redis store', async () => {
      const warnings = await nestingWarnings({
        prefix: 'shop',
        stores: {
          disk: { driver: 'file', directory: dir },
          map: { driver: 'keyv', store: new Map() },
          redis: { driver: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'r' },
        },
      });
      expect(warnings).toEqual([]);
    });

    it('one for two Redis stores on one server and db, however the address is written', async () => {
      const warnings = await nestingWarnings({
        prefix: 'shop',
        stores: {
          main: { driver: 'redis', url: 'redis://127.0.0.1:6379' },
          sessions: { driver: 'redis', options: { host: 'localhost', port: 6379 }, prefix: 'sessions' },
          other: { driver: 'redis', url: 'redis://127.0.0.1:6379/1', prefix: 'other' },
        },
      });
      expect(warnings).toEqual([
        expect.stringContaining('Cache stores "main" and "sessions": namespace "shop" contains "shop:sessions"'),
      ]);
    });

    it('one for two file stores in one directory, none for two directories', async () => {
      const same = await nestingWarnings({
        prefix: 'shop',
        stores: { a: { driver: 'file', directory: dir }, b: { driver: 'file', directory: `${dir}/`, prefix: 'v2' } },
      });
      expect(same).toEqual([expect.stringContaining('Cache stores "a" and "b": namespace "shop" contains "shop:v2"')]);
      const apart = await nestingWarnings({
        prefix: 'shop',
        stores: {
          a: { driver: 'file', directory: join(dir, 'a') },
          b: { driver: 'file', directory: join(dir, 'b'), prefix: 'v2' },
        },
      });
      expect(apart).toEqual([]);
    });

    it('one for a custom store beside a Redis store: what it writes to is unknown', async () => {
      const warnings = await nestingWarnings({
        prefix: 'shop',
        stores: {
          mine: { driver: mapStore() },
          redis: { driver: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'r' },
        },
      });
      expect(warnings).toEqual([expect.stringContaining('Cache stores "mine" and "redis"')]);
    });
  });
});
