/**
 * The bad-input table against the memory and file stores, plus the configuration rows.
 * Redis and the two-tier store run the same table in test/reliability/bad-input-redis.spec.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type StoreConfig } from '../../src';
import { describeBadInput } from '../reliability/bad-input.table';

const silent = { warn: () => undefined, error: () => undefined };

describeBadInput('memory', async (extra) => {
  const manager = createCacheManager({ logger: silent, stores: { s: { driver: 'memory', ...extra } as StoreConfig } });
  return { manager, cache: manager.store('s'), dispose: () => manager.close() };
});

describeBadInput('file', async (extra) => {
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-bad-'));
  const manager = createCacheManager({
    logger: silent,
    stores: { s: { driver: 'file', directory: dir, pruneInterval: 0, ...extra } as StoreConfig },
  });
  await manager.ready();
  return {
    manager,
    cache: manager.store('s'),
    dispose: async () => {
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
