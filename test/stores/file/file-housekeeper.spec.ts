import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { entryLocation, namespaceDir } from '../../../src/stores/file/file-paths';
import { useFileStores, walk } from '../../support/file-store';

describe('file store housekeeping: sweeps, eviction, figures', () => {
  const fx = useFileStores();

  it('prune() removes expired entries and orphaned temp files, and counts entries and bytes', async () => {
    const store = fx.make();
    await store.set('short', 1, 1000);
    await store.set('long', 2, 60_000);
    await store.set('forever', 3);
    const loc = entryLocation(namespaceDir(fx.dir, 'app'), 'forever');
    const orphan = `${loc.file}.crashed1.tmp`;
    writeFileSync(orphan, 'half a write');
    const fresh = `${loc.file}.inflight1.tmp`;
    writeFileSync(fresh, 'a write in flight');
    const old = new Date(Date.now() - 120_000);
    utimesSync(orphan, old, old);
    fx.clock.advance('2s');
    expect(await store.prune()).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await store.get('long')).toBe(2);
    const stats = store.stats();
    expect(stats.entries).toBe(2);
    const onDisk = walk(namespaceDir(fx.dir, 'app')).filter((f) => f.endsWith('.entry'));
    expect(stats.bytes).toBe(onDisk.reduce((n, f) => n + statSync(f).size, 0));
  });

  it('the pruneInterval timer sweeps expired files without any read', async () => {
    const store = fx.make('app', { pruneInterval: 20 });
    await store.set('gone', 1, 1000);
    fx.clock.advance('2s');
    const file = entryLocation(namespaceDir(fx.dir, 'app'), 'gone').file;
    for (let i = 0; i < 500 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(file)).toBe(false);
  });

  it("pruneInterval as a duration string ('50ms') runs the same sweep timer", async () => {
    const store = fx.make('app', { pruneInterval: '50ms' });
    await store.set('gone', 1, 1000);
    await store.set('kept', 2);
    fx.clock.advance('2s');
    const file = entryLocation(namespaceDir(fx.dir, 'app'), 'gone').file;
    for (let i = 0; i < 500 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(file)).toBe(false);
    expect(await store.get('kept')).toBe(2);
  });

  it('maxEntries evicts the least recently written entries', async () => {
    const writer = fx.make('app');
    const ns = namespaceDir(fx.dir, 'app');
    for (let i = 0; i < 15; i++) {
      await writer.set(`k${i}`, i);
      // Distinct, ordered write times regardless of the file system's timestamp resolution.
      const t = new Date(Date.now() - 100_000 + i * 1000);
      utimesSync(entryLocation(ns, `k${i}`).file, t, t);
    }
    const store = fx.make('app', { maxEntries: 10 });
    await store.prune();
    // Evicted down to 90% of the limit, oldest first.
    expect(store.stats()).toMatchObject({ entries: 9, evictions: 6 });
    for (let i = 0; i < 6; i++) expect(await store.has(`k${i}`)).toBe(false);
    for (let i = 6; i < 15; i++) expect(await store.get(`k${i}`)).toBe(i);
  });

  it('maxBytes evicts on its own after the write that crosses it', async () => {
    const store = fx.make('app', { maxBytes: 20_000 });
    for (let i = 0; i < 30; i++) await store.set(`k${i}`, 'x'.repeat(1000));
    let files: string[] = [];
    for (let i = 0; i < 500; i++) {
      files = walk(namespaceDir(fx.dir, 'app'));
      // Eviction removes files one by one: wait for it to finish, at 90% of the limit.
      if (files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0) <= 18_000) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0)).toBeLessThanOrEqual(
      18_000,
    );
    expect(store.stats().evictions).toBeGreaterThan(0);
  });
});
