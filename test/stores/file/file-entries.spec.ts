import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { encodeEntry } from '../../../src/stores/file/file-entry.codec';
import { entryLocation, namespaceDir } from '../../../src/stores/file/file-paths';
import { useFileStores } from '../../support/file-store';

describe('file store entries: verified reads', () => {
  const fx = useFileStores();

  it('a truncated or corrupted file reads as a miss and is removed', async () => {
    const store = fx.make();
    const ns = namespaceDir(fx.dir, 'app');
    await store.set('trunc', { big: 'x'.repeat(1000) });
    await store.set('flip', 'hello world');
    await store.set('garbage', 1);
    const trunc = entryLocation(ns, 'trunc').file;
    truncateSync(trunc, statSync(trunc).size - 10);
    const flip = entryLocation(ns, 'flip').file;
    const bytes = readFileSync(flip);
    bytes[bytes.length - 3] ^= 0x20;
    writeFileSync(flip, bytes);
    writeFileSync(entryLocation(ns, 'garbage').file, 'not an entry at all');
    for (const k of ['trunc', 'flip', 'garbage']) {
      expect(await store.get(k)).toBeUndefined();
      expect(existsSync(entryLocation(ns, k).file)).toBe(false);
    }
  });

  it('an entry recorded under another key (a hash collision) is a miss, never that key’s value', async () => {
    const store = fx.make();
    const loc = entryLocation(namespaceDir(fx.dir, 'app'), 'wanted');
    mkdirSync(loc.dir, { recursive: true });
    writeFileSync(loc.file, encodeEntry(JSON.stringify('app:someone-else'), '"secret"', undefined));
    expect(await store.get('wanted')).toBeUndefined();
    expect(await store.has('wanted')).toBe(false);
    expect(await store.increment('wanted', 1)).toBe(1);
  });
});
