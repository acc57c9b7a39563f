import { createCacheManager } from 'nestjs-cachekit';
import { ManualClock } from 'nestjs-cachekit/testing';

/**
 * Resolves a subpath export (types and runtime) the way a user's spec file would. Run by the
 * compat runner after the HTTP smoke test; prints `SUBPATHS_OK` when expiry follows the manual clock.
 */
async function main(): Promise<void> {
  const clock = new ManualClock();
  const caches = createCacheManager({ clock });
  await caches.default.set('k', 1, '1s');
  const before = await caches.default.get<number>('k');
  clock.advance('2s');
  const after = await caches.default.get<number>('k');
  await caches.close();
  if (before !== 1 || after !== undefined) throw new Error(`expiry: before=${before} after=${after}`);
  console.log('SUBPATHS_OK');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
