import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CacheConfigError, createCacheManager, FileStore, type CacheSerializer } from '../../../src';
import { entryLocation, namespaceDir } from '../../../src/stores/file/file-paths';
import { useFileStores, walk } from '../../support/file-store';

describe('FileStore', () => {
  const fx = useFileStores();

  it('keeps hostile keys inside the directory, as hashed file names', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'cachekit-outside-'));
    const keys = [
      '../../x',
      `../../${relative(fx.dir, outside)}/pwned`,
      join(outside, 'abs'),
      'C:\\Windows\\system32',
      'a\u0000b',
      '\u0000',
      'k'.repeat(10 * 1024),
      'CON',
      'nul',
      'COM1.txt',
      '.',
      '..',
      '~',
      '\uD800 lone surrogate',
      '\uDBFF lone surrogate',
    ];
    const store = fx.make();
    for (const [i, k] of keys.entries()) await store.set(k, i);
    for (const [i, k] of keys.entries()) expect(await store.get(k)).toBe(i);
    expect(readdirSync(outside)).toEqual([]);
    rmSync(outside, { recursive: true });
    // Raw keys outside the store's namespace also leave the shared-namespaces marker (file.store.ts).
    const files = walk(fx.dir).filter((f) => !f.endsWith('shared-namespaces'));
    expect(files).toHaveLength(keys.length);
    for (const f of files) {
      expect(relative(namespaceDir(fx.dir, 'app'), f)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]\/[0-9a-f]{64}\.entry$/);
    }
  });

  it('clear() leaves foreign files and other prefixes alone', async () => {
    const mine = fx.make('app');
    const theirs = fx.make('app:other');
    await mine.set('a', 1);
    await mine.set('b', 2);
    await theirs.set('a', 'theirs');
    const foreign = [join(fx.dir, 'README.txt'), join(fx.dir, 'nested', 'data.json')];
    mkdirSync(join(fx.dir, 'nested'));
    for (const f of foreign) writeFileSync(f, 'keep me');
    // A stranger's file inside our own fan-out directory survives too.
    const { dir: leaf } = entryLocation(namespaceDir(fx.dir, 'app'), 'a');
    writeFileSync(join(leaf, 'notes.txt'), 'keep me');
    await mine.clear();
    expect(await mine.get('a')).toBeUndefined();
    expect(await mine.get('b')).toBeUndefined();
    expect(await theirs.get('a')).toBe('theirs');
    for (const f of [...foreign, join(leaf, 'notes.txt')]) expect(readFileSync(f, 'utf8')).toBe('keep me');
    expect(walk(namespaceDir(fx.dir, 'app')).filter((f) => !f.endsWith('shared-namespaces'))).toEqual([
      join(leaf, 'notes.txt'),
    ]);
  });

  it('uses a custom serializer', async () => {
    const calls: string[] = [];
    const serializer: CacheSerializer = {
      serialize: (v) => (calls.push('s'), JSON.stringify(v)),
      deserialize: (t) => (calls.push('d'), JSON.parse(t) as unknown),
    };
    const store = fx.make('app', { serializer });
    await store.set('a', { n: 1 });
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(calls).toEqual(['s', 'd']);
  });

  it('is configured through the manager as driver "file", with a typed config error', async () => {
    const manager = createCacheManager({ prefix: 'app', stores: { disk: { driver: 'file', directory: fx.dir } } });
    await manager.ready();
    await manager.store('disk').set('k', 'v');
    expect(await manager.store('disk').get('k')).toBe('v');
    expect(walk(namespaceDir(fx.dir, 'app'))).toHaveLength(1);
    await manager.close();
    expect(() => createCacheManager({ stores: { disk: { driver: 'file', directory: '' } } })).toThrow(
      expect.objectContaining({ name: 'CacheConfigError', store: 'disk', field: 'directory' }) as Error,
    );
    expect(() => fx.make('app', { maxEntries: 0 })).toThrow(CacheConfigError);
  });

  it('init() fails when the directory is a file', async () => {
    const file = join(fx.dir, 'plain-file');
    writeFileSync(file, '');
    const store = new FileStore({ directory: file, pruneInterval: 0 }, { name: 'disk' });
    await expect(store.init()).rejects.toMatchObject({ name: 'CacheConfigError', store: 'disk', field: 'directory' });
    await store.close();
  });
});
