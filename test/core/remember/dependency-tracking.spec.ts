// Dependency tags need AsyncLocalStorage, which hooks every promise of the process once used, so
// the cache starts tracking only when this process first meets a tag. This file needs a module
// registry in which no tag has been met yet (Jest gives each test file its own), and its steps
// run in order in one test: the first tag it meets turns tracking on for the rest of the file.
import { createCacheManager } from '../../../src';
import { ENVELOPE } from '../../../src/core/envelope';
import { internalKey, normalizeKey } from '../../../src/core/keys';

const quiet = { warn: () => undefined, error: () => undefined };

describe('dependency tracking starts at the first tag this process meets', () => {
  it('does not store a load that began untracked, and tracks every later one', async () => {
    const manager = createCacheManager({ logger: quiet });
    const cache = manager.default;
    // The default memory store holds its cache's keys without the namespace (cache-keys.spec).
    const ns = '';
    try {
      // 1. No tag met yet: plain nested remember works and is stored.
      expect(await cache.remember('plain-outer', 60, () => cache.remember('plain-inner', 60, () => 1))).toBe(1);
      expect(await cache.has('plain-outer')).toBe(true);

      // 2. A tagged entry written by another process (raw envelope + tag version in the store),
      //    read by a nested untagged remember while the outer load runs untracked.
      await cache.driver.set(internalKey(ns, 't', 'users'), 'v1');
      await cache.driver.set(normalizeKey('inner', ns), { [ENVELOPE]: 1, v: 'from-elsewhere', t: { users: 'v1' } });
      const outer = () =>
        cache.remember('outer', 60, async () => `outer(${await cache.remember('inner', 60, () => 'x')})`);
      expect(await outer()).toBe('outer(from-elsewhere)');
      // Its dependencies are unknown (the tag was met during the load): returned, not stored.
      expect(await cache.has('outer')).toBe(false);

      // 3. Now tracked: stored with the inner entry's tag, so flushing that tag removes it.
      expect(await outer()).toBe('outer(from-elsewhere)');
      expect(await cache.has('outer')).toBe(true);
      await cache.tags('users').flush();
      expect(await cache.has('outer')).toBe(false);
      // The untagged entry from step 1 carries no tag and survives.
      expect(await cache.has('plain-outer')).toBe(true);
    } finally {
      await manager.close();
    }
  });
});
