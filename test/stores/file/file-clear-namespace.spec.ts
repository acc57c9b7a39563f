// One FileStore instance shared by caches of different namespaces: clear() of one removes its
// own entries only, though they all live under the directory of the namespace it was built with.
import { describe, expect, it } from '@jest/globals';
import { createCacheManager, FileStore } from '../../../src';
import { useFileStores, walk } from '../../support/file-store';
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

  it('another process\u2019s foreign entries survive the clear of the built namespace (the directory is marked)', async () => {
    const mine: FileStore = files.make('built');
    const theirs: FileStore = files.make('built'); // the same directory and namespace, as another process
    const own = createCacheManager({ prefix: 'built', logger: quiet, stores: { f: { driver: mine } } });
    const other = createCacheManager({ prefix: 'other', logger: quiet, stores: { f: { driver: theirs } } });
    await own.ready();
    await own.set('k', 'own');
    await other.set('k', 'other');
    await own.clear();
    expect(await own.get('k')).toBeUndefined();
    expect(await other.get('k')).toBe('other');
  });

  it('a store of one namespace leaves no marker and clears every entry', async () => {
    const store: FileStore = files.make('solo');
    const m = createCacheManager({ prefix: 'solo', logger: quiet, stores: { f: { driver: store } } });
    await m.ready();
    await m.set('k', 1);
    await m.tags('t').set('tagged', 2);
    expect(walk(files.dir).some((f) => f.endsWith('shared-namespaces'))).toBe(false);
    await m.clear();
    expect(walk(files.dir).filter((f) => f.endsWith('.entry'))).toEqual([]);
  });
});
