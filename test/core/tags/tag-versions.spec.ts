/**
 * Tag names are user data: names of Object.prototype members ("constructor", "toString",
 * "hasOwnProperty") are tags like any other on every store (set tagged, flush, the entry
 * misses); "__proto__" is refused when the view is made, naming it (an entry's tags are a plain
 * object, where that name is the prototype, so it would be lost and never flushed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheArgumentError, type Cache, type CacheManager } from '../../../src';
import { quiet, withManager } from '../../support/with-manager';
import { eventually } from '../../support/tiered-coherence';
import { tieredApp } from '../../support/tiered-names';

const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const REDIS = { driver: 'redis', url: 'redis://127.0.0.1:6379' } as const;
const unique = (what: string) => `proto-tags-${what}-${process.pid}-${Date.now()}`;

/** `read()` is `expected` now, or soon when `reread` is another instance (its L1 hears of flushes over the bus). */
async function expectRead(read: () => Promise<unknown>, expected: unknown, what: string): Promise<void> {
  await eventually(async () => (await read()) === expected, what, 60_000);
  expect(await read()).toBe(expected);
}

/** Each name tags its own entry, and all of them a shared one; flushing one name hides its entries only. */
async function exerciseTags(cache: Cache, reread: Cache = cache): Promise<void> {
  for (const tag of NAMES) expect(await cache.tags(tag).set(`one:${tag}`, tag)).toBe(true);
  expect(await cache.tags(NAMES).set('all', 'every tag')).toBe(true);
  expect(await cache.tags(['plain', ...NAMES]).getMany(['all'])).toEqual({ all: 'every tag' });
  for (const tag of NAMES) expect(await reread.tags(tag).get(`one:${tag}`)).toBe(tag);
  for (const [i, tag] of NAMES.entries()) {
    await cache.tags(tag).flush();
    await expectRead(() => reread.get(`one:${tag}`), undefined, `the flush of tag "${tag}" is seen`);
    expect(await reread.getMany([`one:${tag}`])).toEqual({ [`one:${tag}`]: undefined });
    // The names not flushed yet still hold their entry.
    for (const rest of NAMES.slice(i + 1)) expect(await reread.tags(rest).get(`one:${rest}`)).toBe(rest);
    if (i === 0) await expectRead(() => reread.get('all'), undefined, 'the entry of every tag is flushed');
  }
  expect(await cache.tags(NAMES).remember('loaded', 60, () => 'v1')).toBe('v1');
  await cache.tags('toString').flush();
  await expectRead(() => reread.tags(NAMES).remember('loaded', 60, () => 'v2'), 'v2', 'remember reloads');
}

describe('tags named like Object.prototype members', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-proto-tags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['memory', { driver: 'memory' }],
    ['file', { driver: 'file', directory: dir }],
    ['redis', REDIS],
  ] as const)('set tagged, flush and the entries miss on %s', async (name, config) => {
    await withManager({ prefix: unique(name), stores: { s: config as never } }, async (m) => {
      await exerciseTags(m.default);
      await m.default.clear();
    });
  });

  it('the synchronous reads of the memory store', async () => {
    await withManager({ stores: { memory: { driver: 'memory' } } }, async (m) => {
      for (const tag of NAMES) await m.default.tags(tag).set(`one:${tag}`, tag);
      for (const tag of NAMES) {
        expect(m.default.sync.get(`one:${tag}`)).toBe(tag);
        await m.default.tags(tag).flush();
        expect(m.default.sync.get(`one:${tag}`)).toBeUndefined();
        expect(m.default.sync.getMany([`one:${tag}`])).toEqual({ [`one:${tag}`]: undefined });
      }
    });
  });

  it('on a two-tier store over Redis: a flush on one instance is a miss on the other', async () => {
    const managers: CacheManager[] = [];
    const prefix = unique('tiered');
    try {
      const a = await tieredApp(prefix, REDIS, managers);
      const b = await tieredApp(prefix, REDIS, managers);
      await exerciseTags(a.cache, b.cache);
      await a.cache.clear();
    } finally {
      for (const m of managers) await m.close();
    }
  });
});

describe('a tag named "__proto__"', () => {
  it('is refused with a CacheArgumentError naming it, wherever tags are given; nothing is stored', async () => {
    await withManager({ logger: quiet, stores: { memory: { driver: 'memory' } } }, async (m) => {
      const cache = m.default;
      for (const make of [
        () => cache.tags('__proto__'),
        () => cache.tags(['users', '__proto__']),
        () => cache.tags('users').tags('__proto__'),
        () => cache.memo().tags(['__proto__']),
      ]) {
        expect(make).toThrow(CacheArgumentError);
        expect(make).toThrow('Invalid cache tag "__proto__"');
      }
      expect(await cache.getMany(['__proto__'])).toEqual({ ['__proto__']: undefined });
      expect(m.default.stats().writes).toBe(0);
    });
  });
});
