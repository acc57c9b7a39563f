import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
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

  it('values of any size round-trip, whole, through reads that fit the first buffer and reads that do not', async () => {
    const store = fx.make();
    // Around the 16 KiB first read: below it, at it (header included), above it, and far above it.
    const sizes = [0, 1, 1024, 16 * 1024 - 200, 16 * 1024 - 60, 16 * 1024, 16 * 1024 + 1, 100 * 1024, 1024 * 1024];
    for (const n of sizes) await store.set(`v${n}`, 'x'.repeat(n) + '|end');
    for (const n of sizes) expect(await store.get(`v${n}`)).toBe('x'.repeat(n) + '|end');
    // Reads in parallel share the spare buffers without mixing up their contents.
    const all = await Promise.all(sizes.flatMap((n) => [store.get(`v${n}`), store.get(`v${n}`)]));
    expect(all).toEqual(sizes.flatMap((n) => ['x'.repeat(n) + '|end', 'x'.repeat(n) + '|end']));
  });

  it('a large file cut short, or padded, reads as a miss; a header claiming more than the file holds too', async () => {
    const store = fx.make();
    const ns = namespaceDir(fx.dir, 'app');
    for (const k of ['cut', 'padded', 'liar']) await store.set(k, 'y'.repeat(200_000));
    const cut = entryLocation(ns, 'cut').file;
    truncateSync(cut, 50_000);
    const padded = entryLocation(ns, 'padded').file;
    writeFileSync(padded, Buffer.concat([readFileSync(padded), Buffer.from('tail')]));
    // A header that claims a petabyte value in a file of 20 KB is never trusted for a buffer size.
    const liar = entryLocation(ns, 'liar').file;
    writeFileSync(liar, Buffer.concat([Buffer.from('CKF1 - 5 1000000000000000 0\n'), Buffer.alloc(20_000, 0x41)]));
    for (const k of ['cut', 'padded', 'liar']) {
      expect(await store.get(k)).toBeUndefined();
      expect(existsSync(entryLocation(ns, k).file)).toBe(false);
    }
  });

  it('every file it opens is closed: no descriptor into the directory is left after reads, writes and misses', async () => {
    const store = fx.make();
    const value = { body: 'z'.repeat(30_000) };
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.set(`k${i}`, value)));
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.get(`k${i}`)));
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.get(`missing${i}`)));
    }
    // Closes run off the caller's path: poll (bounded) until none of this process's fds points here.
    const open = (): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(fx.dir) ? [target] : [];
        } catch {
          return [];
        }
      });
    for (let i = 0; i < 500 && open().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toEqual([]);
  });

  it('reads and sweeps leave access times alone (no inode write per first read)', async () => {
    const store = fx.make();
    await store.set('k', { n: 1 });
    const file = entryLocation(namespaceDir(fx.dir, 'app'), 'k').file;
    // Three days old: with relatime (the usual mount) a plain read would move the access time.
    const old = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(file, old, old);
    expect(await store.get('k')).toEqual({ n: 1 });
    await store.prune();
    expect(Math.round(statSync(file).atimeMs)).toBe(old.getTime());
  });
});
