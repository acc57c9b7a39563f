import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type CacheManager } from '../../src';
import { ManualClock } from '../../src/testing';
import { quiet, withManager } from '../support/with-manager';

// getMany reads a batch in one pass: plain values as they are, envelopes (tags, SWR) checked
// together; batches larger than the key memo (4,096 keys) read like small ones.
describe('getMany', () => {
  let manager: CacheManager;
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
    manager = createCacheManager({
      clock,
      logger: quiet,
      stores: { memory: { driver: 'memory', maxEntries: 50_000 } },
    });
  });
  afterEach(() => manager.close());

  it('mixes plain, tagged, flushed, stale and missing entries in one batch', async () => {
    const cache = manager.default;
    await cache.set('plain', { p: 1 });
    await cache.set('nul', null);
    await cache.tags(['live']).set('tagged', { t: 1 });
    await cache.tags(['gone']).set('flushed', { f: 1 });
    await cache.remember('swr', 1, () => ({ s: 1 }), { staleTtl: 60 });
    await cache.tags(['gone']).flush();
    clock.advance(2); // 2 s: 'swr' is past its fresh part (stale, a miss for getMany), not its stale window
    expect(await cache.getMany(['plain', 'nul', 'tagged', 'flushed', 'swr', 'missing'])).toEqual({
      plain: { p: 1 },
      nul: null,
      tagged: { t: 1 },
      flushed: undefined,
      swr: undefined,
      missing: undefined,
    });
    // The flushed entry was reclaimed; the stale one is still there for remember.
    // (The memory store holds its cache's keys without the namespace: cache-keys.spec.)
    expect(await cache.driver.get('flushed')).toBeUndefined();
    expect(await cache.remember('swr', 1, () => ({ s: 2 }), { staleTtl: 60 })).toEqual({ s: 1 });
    // Misses: the first remember, then flushed, swr and missing; hits: three here and the stale remember.
    expect(cache.stats()).toMatchObject({ hits: 4, misses: 4 });
  });

  it('reads a batch larger than the key memo, twice, and single keys after it', async () => {
    const cache = manager.default;
    const keys = Array.from({ length: 10_000 }, (_, i) => `k:${i}`);
    await cache.setMany(keys.map((k, i) => [k, i] as const));
    for (let round = 0; round < 2; round++) {
      const got = await cache.getMany(keys);
      expect(Object.keys(got)).toHaveLength(10_000);
      expect(keys.every((k, i) => got[k] === i)).toBe(true);
    }
    expect(await cache.get('k:9999')).toBe(9999);
    expect(cache.sync.getMany(['k:0', 'k:9999', 'nope'])).toEqual({ 'k:0': 0, 'k:9999': 9999, nope: undefined });
    expect(cache.stats()).toMatchObject({ hits: 20_003, misses: 1 });
  });

  it('a long key in a batch is hashed as a single read hashes it', async () => {
    const cache = manager.default;
    const long = 'x'.repeat(5000);
    await cache.set(long, 'long');
    expect(await cache.getMany([long, 'short'])).toEqual({ [long]: 'long', short: undefined });
  });
});

// Keys are user data: "__proto__" must come back as an own property (its value, or undefined for
// a miss), never as the result's prototype, on every getMany the package has.
describe('getMany of prototype-named keys', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-proto-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectOwn(result: Record<string, unknown>, expected: Record<string, unknown>): void {
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result).sort()).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) {
      expect(Object.hasOwn(result, k)).toBe(true);
      expect(result[k]).toEqual(expected[k]);
    }
  }
  const missing = () => Object.fromEntries([...NAMES, 'a'].map((k) => [k, undefined]));
  const found = () => Object.fromEntries([...NAMES.map((k) => [k, { v: k }]), ['a', { v: 'a' }]]);

  it.each([
    ['memory', { driver: 'memory' }],
    ['file', { driver: 'file', directory: dir }],
    ['redis', { driver: 'redis', url: 'redis://127.0.0.1:6379' }],
  ] as const)('Cache.getMany and a tagged view on %s', async (_, config) => {
    const prefix = `proto-gm-${process.pid}-${Date.now()}`;
    await withManager({ prefix, stores: { s: config as never } }, async (m) => {
      const cache = m.default;
      expectOwn(await cache.getMany([...NAMES, 'a']), missing());
      for (const k of [...NAMES, 'a']) expect(await cache.set(k, { v: k })).toBe(true);
      expectOwn(await cache.getMany([...NAMES, 'a']), found());
      expectOwn(await cache.tags('t').getMany([...NAMES, 'a']), found());
      expectOwn(await cache.memo().getMany([...NAMES, 'a']), found());
      await cache.tags('t').set('__proto__', { tagged: true });
      expectOwn(await cache.getMany(['__proto__']), { ['__proto__']: { tagged: true } });
      await cache.clear();
    });
  });

  it('the synchronous API and a request memo', async () => {
    await withManager({ stores: { memory: { driver: 'memory' } } }, async (m) => {
      const cache = m.default;
      expectOwn(cache.sync.getMany([...NAMES, 'a']), missing());
      const memo = cache.memo();
      expectOwn(await memo.getMany([...NAMES, 'a']), missing());
      for (const k of [...NAMES, 'a']) cache.sync.set(k, { v: k });
      expectOwn(cache.sync.getMany([...NAMES, 'a']), found());
      // The memo remembers the misses it read, and reads the rest.
      expectOwn(await cache.memo().getMany([...NAMES, 'a']), found());
      expectOwn(await memo.getMany(['__proto__', 'b']), { ['__proto__']: undefined, b: undefined });
    });
  });
});
