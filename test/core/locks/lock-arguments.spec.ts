/**
 * Lock and funnel arguments on real stores (memory, file, Redis): a `fn` that is not a function,
 * an unknown option and a missing owner are CacheArgumentErrors naming the lock or funnel, thrown
 * before anything is acquired, so the lock stays free (or held by its owner). Before, `fn` failed
 * after acquiring as "fn is not a function", an unknown funnel option (`wiat`) was ignored (one
 * try instead of waiting), and `restoreLock(name, undefined)` drew a new token: a lock whose
 * `release()` released nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheArgumentError, createCacheManager, type Cache, type CacheManager, type StoreConfig } from '../../../src';
import { RedisServer } from '../../support/redis-server';

const quiet = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
let dir: string;
beforeAll(async () => {
  server = await RedisServer.start();
  dir = mkdtempSync(join(tmpdir(), 'cachekit-lock-args-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const STORES: [string, () => StoreConfig][] = [
  ['memory', () => ({ driver: 'memory' })],
  ['file', () => ({ driver: 'file', directory: dir })],
  ['redis', () => ({ driver: 'redis', url: server.url })],
];

describe.each(STORES)('lock and funnel arguments on %s', (name, config) => {
  let manager: CacheManager;
  let cache: Cache;
  beforeAll(() => {
    manager = createCacheManager({ logger: quiet, prefix: `lockargs-${name}`, stores: { s: config() } });
    cache = manager.store('s');
  });
  afterEach(() => cache.clear());
  afterAll(() => manager.close());

  async function rejection(p: () => Promise<unknown>): Promise<Error> {
    const err = await p().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CacheArgumentError);
    return err as Error;
  }

  it('a fn that is not a function: refused naming the lock, nothing acquired', async () => {
    const lock = cache.lock('report', '30s');
    expect((await rejection(() => lock.get(5 as never))).message).toBe(
      'lock("report").get(fn): fn must be a function, got number',
    );
    expect((await rejection(() => lock.block('1s', 'build' as never))).message).toBe(
      'lock("report").block(wait, fn): fn must be a function, got string',
    );
    // Still free: another owner takes it at once.
    const other = cache.lock('report', '30s');
    expect(await other.get()).toBe(true);
    expect(await other.release()).toBe(true);
  });

  it('funnel.run with a fn that is not a function: refused naming the funnel, no slot taken', async () => {
    const funnel = cache.funnel('pdf', { limit: 1 });
    expect((await rejection(() => funnel.run(null as never))).message).toBe(
      'funnel("pdf").run(fn): fn must be a function, got null',
    );
    expect(await funnel.run(() => 'ran')).toBe('ran');
  });

  it('an unknown option is refused with the closest known one', () => {
    expect(() => cache.funnel('pdf', { limit: 1, wiat: '5s' } as never)).toThrow(
      'funnel("pdf"): "wiat" is not a known option; did you mean "wait"? (known: limit, wait, ttl)',
    );
    expect(() => cache.funnel('pdf', null as never)).toThrow('funnel("pdf"): options must be an object, got null');
    expect(() => cache.lock('report', '30s', { renw: false } as never)).toThrow(
      'lock("report"): "renw" is not a known option; did you mean "renew"? (known: renew)',
    );
  });

  it('restoreLock without an owner is refused; the held lock stays held by its owner', async () => {
    const held = cache.lock('job', '30s');
    expect(await held.get()).toBe(true);
    expect(() => cache.restoreLock('job', undefined as never)).toThrow(
      'restoreLock("job", owner): owner is required, the token of the lock to restore (lock.owner where it was taken)',
    );
    expect(await cache.lock('job', '30s').get()).toBe(false);
    expect(await cache.restoreLock('job', held.owner).release()).toBe(true);
  });
});
