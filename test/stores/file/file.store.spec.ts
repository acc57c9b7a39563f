import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { CacheConfigError, createCacheManager, FileStore, type CacheSerializer } from '../../../src';
import { ManualClock } from '../../../src/testing';
import { encodeEntry } from '../../../src/stores/file/file-entry.codec';
import { entryLocation, namespaceDir } from '../../../src/stores/file/file-paths';

let dir: string;
let clock: ManualClock;
const stores: FileStore[] = [];
function make(namespace = 'app', extra: Partial<ConstructorParameters<typeof FileStore>[0]> = {}): FileStore {
  const store = new FileStore({ directory: dir, pruneInterval: 0, ...extra }, { namespace, clock, name: 'disk' });
  stores.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachekit-file-'));
  clock = new ManualClock();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function walk(root: string): string[] {
  if (!existsSync(root)) return [];
  return (
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((f) => join(root, f))
      // Tolerate files removed between listing and stat (a background sweep may be running).
      .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() ?? false)
  );
}

describe('FileStore', () => {
  it('keeps hostile keys inside the directory, as hashed file names', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'cachekit-outside-'));
    const keys = [
      '../../x',
      `../../${relative(dir, outside)}/pwned`,
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
    const store = make();
    for (const [i, k] of keys.entries()) await store.set(k, i);
    for (const [i, k] of keys.entries()) expect(await store.get(k)).toBe(i);
    expect(readdirSync(outside)).toEqual([]);
    rmSync(outside, { recursive: true });
    const files = walk(dir);
    expect(files).toHaveLength(keys.length);
    for (const f of files) {
      expect(relative(namespaceDir(dir, 'app'), f)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]\/[0-9a-f]{64}\.entry$/);
    }
  });

  it('clear() leaves foreign files and other prefixes alone', async () => {
    const mine = make('app');
    const theirs = make('app:other');
    await mine.set('a', 1);
    await mine.set('b', 2);
    await theirs.set('a', 'theirs');
    const foreign = [join(dir, 'README.txt'), join(dir, 'nested', 'data.json')];
    mkdirSync(join(dir, 'nested'));
    for (const f of foreign) writeFileSync(f, 'keep me');
    // A stranger's file inside our own fan-out directory survives too.
    const { dir: leaf } = entryLocation(namespaceDir(dir, 'app'), 'a');
    writeFileSync(join(leaf, 'notes.txt'), 'keep me');
    await mine.clear();
    expect(await mine.get('a')).toBeUndefined();
    expect(await mine.get('b')).toBeUndefined();
    expect(await theirs.get('a')).toBe('theirs');
    for (const f of [...foreign, join(leaf, 'notes.txt')]) expect(readFileSync(f, 'utf8')).toBe('keep me');
    expect(walk(namespaceDir(dir, 'app'))).toEqual([join(leaf, 'notes.txt')]);
  });

  it('a truncated or corrupted file reads as a miss and is removed', async () => {
    const store = make();
    const ns = namespaceDir(dir, 'app');
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
    const store = make();
    const loc = entryLocation(namespaceDir(dir, 'app'), 'wanted');
    mkdirSync(loc.dir, { recursive: true });
    writeFileSync(loc.file, encodeEntry(JSON.stringify('app:someone-else'), '"secret"', undefined));
    expect(await store.get('wanted')).toBeUndefined();
    expect(await store.has('wanted')).toBe(false);
    expect(await store.increment('wanted', 1)).toBe(1);
  });

  it('prune() removes expired entries and orphaned temp files, and counts entries and bytes', async () => {
    const store = make();
    await store.set('short', 1, 1000);
    await store.set('long', 2, 60_000);
    await store.set('forever', 3);
    const loc = entryLocation(namespaceDir(dir, 'app'), 'forever');
    const orphan = `${loc.file}.crashed1.tmp`;
    writeFileSync(orphan, 'half a write');
    const fresh = `${loc.file}.inflight1.tmp`;
    writeFileSync(fresh, 'a write in flight');
    const old = new Date(Date.now() - 120_000);
    utimesSync(orphan, old, old);
    clock.advance('2s');
    expect(await store.prune()).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await store.get('long')).toBe(2);
    const stats = store.stats();
    expect(stats.entries).toBe(2);
    const onDisk = walk(namespaceDir(dir, 'app')).filter((f) => f.endsWith('.entry'));
    expect(stats.bytes).toBe(onDisk.reduce((n, f) => n + statSync(f).size, 0));
  });

  it('the pruneInterval timer sweeps expired files without any read', async () => {
    const store = make('app', { pruneInterval: 20 });
    await store.set('gone', 1, 1000);
    clock.advance('2s');
    const file = entryLocation(namespaceDir(dir, 'app'), 'gone').file;
    for (let i = 0; i < 500 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(file)).toBe(false);
  });

  it('maxEntries evicts the least recently written entries', async () => {
    const writer = make('app');
    const ns = namespaceDir(dir, 'app');
    for (let i = 0; i < 15; i++) {
      await writer.set(`k${i}`, i);
      // Distinct, ordered write times regardless of the file system's timestamp resolution.
      const t = new Date(Date.now() - 100_000 + i * 1000);
      utimesSync(entryLocation(ns, `k${i}`).file, t, t);
    }
    const store = make('app', { maxEntries: 10 });
    await store.prune();
    // Evicted down to 90% of the limit, oldest first.
    expect(store.stats()).toMatchObject({ entries: 9, evictions: 6 });
    for (let i = 0; i < 6; i++) expect(await store.has(`k${i}`)).toBe(false);
    for (let i = 6; i < 15; i++) expect(await store.get(`k${i}`)).toBe(i);
  });

  it('maxBytes evicts on its own after the write that crosses it', async () => {
    const store = make('app', { maxBytes: 20_000 });
    for (let i = 0; i < 30; i++) await store.set(`k${i}`, 'x'.repeat(1000));
    let files: string[] = [];
    for (let i = 0; i < 500; i++) {
      files = walk(namespaceDir(dir, 'app'));
      // Eviction removes files one by one: wait for it to finish, at 90% of the limit.
      if (files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0) <= 18_000) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0)).toBeLessThanOrEqual(
      18_000,
    );
    expect(store.stats().evictions).toBeGreaterThan(0);
  });

  it('breaks stale lock files: a dead holder, a holder past its deadline, a half-written lock', async () => {
    const store = make('app', { lockStaleMs: 60_000 });
    const ns = namespaceDir(dir, 'app');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const holders = [
      JSON.stringify({ token: 't', pid: dead, host: (await import('node:os')).hostname(), until: Date.now() + 60_000 }),
      JSON.stringify({ token: 't', pid: process.pid, host: 'elsewhere', until: Date.now() - 1 }),
      '',
    ];
    for (const [i, body] of holders.entries()) {
      const loc = entryLocation(ns, `c${i}`);
      mkdirSync(dirname(loc.lock), { recursive: true });
      writeFileSync(loc.lock, body);
      if (body === '') utimesSync(loc.lock, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      expect(await store.increment(`c${i}`, 5)).toBe(5);
      expect(existsSync(loc.lock)).toBe(false);
    }
  });

  it('uses a custom serializer', async () => {
    const calls: string[] = [];
    const serializer: CacheSerializer = {
      serialize: (v) => (calls.push('s'), JSON.stringify(v)),
      deserialize: (t) => (calls.push('d'), JSON.parse(t) as unknown),
    };
    const store = make('app', { serializer });
    await store.set('a', { n: 1 });
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(calls).toEqual(['s', 'd']);
  });

  it('is configured through the manager as driver "file", with a typed config error', async () => {
    const manager = createCacheManager({ prefix: 'app', stores: { disk: { driver: 'file', directory: dir } } });
    await manager.ready();
    await manager.store('disk').set('k', 'v');
    expect(await manager.store('disk').get('k')).toBe('v');
    expect(walk(namespaceDir(dir, 'app'))).toHaveLength(1);
    await manager.close();
    expect(() => createCacheManager({ stores: { disk: { driver: 'file', directory: '' } } })).toThrow(
      expect.objectContaining({ name: 'CacheConfigError', store: 'disk', field: 'directory' }) as Error,
    );
    expect(() => make('app', { maxEntries: 0 })).toThrow(CacheConfigError);
  });

  it('init() fails when the directory is a file', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const store = new FileStore({ directory: file, pruneInterval: 0 }, { name: 'disk' });
    await expect(store.init()).rejects.toMatchObject({ name: 'CacheConfigError', store: 'disk', field: 'directory' });
    await store.close();
  });
});
