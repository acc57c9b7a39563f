// One FileStore instance shared by caches of different namespaces: clear() of one removes its
// own entries only, though they all live under the directory of the namespace it was built with.
import { describe, expect, it } from '@jest/globals';
import { createCacheManager, FileStore } from '../../../src';
import { useFileStores } from '../../support/file-store';
import { quiet } from '../../support/with-manager';

const files = useFileStores();

describe('file store: clear() on one instance shared by two namespaces', () => {
  it('clearing one manager keeps the other manager\u2019s entries', async () => {
    const shared: FileStore = files.make('built');
    const a = createCacheManager({ prefix: 'app-a', logger: quiet, stores: { f: { driver: shared } } });
    const b = createCacheManager({ prefix: 'app-b', logger: quiet, stores: { f: { driver: shared } } });
    await a.ready();
    await a.set('k', 'a');
    await b.set('k', 'b');
    await b.tags('t').set('tagged', 'b');
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe('b');
    expect(await b.tags('t').get('tagged')).toBe('b');
    await b.clear();
    expect(await b.get('k')).toBeUndefined();
  });

  it('the namespace it was built with clears its own entries and keeps a foreign one', async () => {
    const shared: FileStore = files.make('built');
    const own = createCacheManager({ prefix: 'built', logger: quiet, stores: { f: { driver: shared } } });
    const other = createCacheManager({ prefix: 'other', logger: quiet, stores: { f: { driver: shared } } });
    await own.ready();
    await own.set('k', 'own');
    await other.set('k', 'other');
    await own.clear();
    expect(await own.get('k')).toBeUndefined();
    expect(await other.get('k')).toBe('other');
  });
});
