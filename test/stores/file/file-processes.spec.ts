import { jest } from '@jest/globals';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src';
import { decodeEntry } from '../../../src/stores/file/file-entry.codec';
import { namespaceDir } from '../../../src/stores/file/file-paths';
import { startWorker } from '../../fixtures/file-spawn';

/** Child processes start a TypeScript loader: give them time on a busy CI machine. */
jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachekit-file-proc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root`, recursively. */
function walk(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((f) => join(root, f))
    .filter((f) => statSync(f).isFile());
}

/** A value written by the `write-loop` worker is whole when all of its parts agree. */
function isWhole(value: unknown): boolean {
  const v = value as { seq: number; body: string; tail: number };
  return (
    typeof v === 'object' && v !== null && v.seq === v.tail && v.body === String(v.seq).padStart(8, '0').repeat(2000)
  );
}

describe('file store across processes', () => {
  it('four processes doing 500 increments each on one key end at exactly 2,000', async () => {
    const runs = Array.from({ length: 4 }, () => startWorker({ op: 'increment', directory: dir, count: 500 }));
    const results = await Promise.all(runs.map((r) => r.result));
    const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
    expect(await store.get('k')).toBe(2000);
    expect(Math.max(...results.map((r) => r.last as number))).toBe(2000);
    await store.close();
  });

  it('a writer killed with SIGKILL mid-way through 5,000 writes leaves only whole values', async () => {
    const run = startWorker({ op: 'write-loop', directory: dir, count: 5000 });
    await run.printed('started');
    const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
    const keys = Array.from({ length: 20 }, (_, i) => `k:${i}`);
    // Read while it writes; kill it once it is well into the loop.
    let highest = 0;
    let reads = 0;
    while (highest < 300) {
      for (const v of await store.getMany(keys)) {
        reads++;
        if (v === undefined) continue;
        expect(isWhole(v)).toBe(true);
        highest = Math.max(highest, (v as { seq: number }).seq);
      }
    }
    run.child.kill('SIGKILL');
    await expect(run.result).rejects.toThrow(/SIGKILL/);
    expect(reads).toBeGreaterThan(0);
    // Every entry file on disk is complete and verifies; every key reads as a whole value.
    const files = walk(namespaceDir(dir, 'x')).filter((f) => f.endsWith('.entry'));
    expect(files.length).toBe(20);
    for (const f of files) expect(decodeEntry(readFileSync(f))).toBeDefined();
    for (const v of await store.getMany(keys)) expect(isWhole(v)).toBe(true);
    await store.close();
  });

  it('a process killed while holding the increment lock does not block the others', async () => {
    const run = startWorker({ op: 'increment', directory: dir, count: 1_000_000 });
    const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
    while ((((await store.get('k')) as number | undefined) ?? 0) < 50) await new Promise((r) => setTimeout(r, 5));
    run.child.kill('SIGKILL');
    await expect(run.result).rejects.toThrow(/SIGKILL/);
    const before = (await store.get('k')) as number;
    // Its lock file may be left behind; the dead pid lets the next caller break it at once.
    expect(await store.increment('k', 1)).toBe(before + 1);
    await store.close();
  });

  it('two processes locking one key: only one holds it at a time', async () => {
    const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
    expect(await store.acquireLock('lk', 'parent', 10_000)).toBe(true);
    expect((await startWorker({ op: 'lock', directory: dir, key: 'lk', token: 'child' }).result).got).toBe(false);
    await store.releaseLock('lk', 'parent');
    const holder = startWorker({ op: 'lock', directory: dir, key: 'lk', token: 'child', holdMs: 60_000 });
    await holder.printed('acquired');
    expect(await store.acquireLock('lk', 'parent', 10_000)).toBe(false);
    expect(await store.renewLock('lk', 'parent', 10_000)).toBe(false);
    await store.releaseLock('lk', 'parent'); // not ours: the child keeps it
    expect(await store.get('lk')).toBe('child');
    holder.child.kill('SIGKILL');
    await expect(holder.result).rejects.toThrow(/SIGKILL/);
    // The lease of a crashed holder runs out with its TTL.
    await store.close();
  });

  describe('permissions', () => {
    // Root ignores file modes, so as root the worker runs as `nobody`; otherwise as ourselves.
    const asUser = process.getuid?.() === 0 ? 65534 : undefined;

    it('a directory that cannot be created fails at start-up, naming the store and `directory`', async () => {
      chmodSync(dir, 0o555);
      const out = await startWorker({ op: 'init', directory: join(dir, 'sub') }, asUser).result;
      expect(out.init).toMatchObject({ name: 'CacheConfigError', field: 'directory' });
      expect((out.init as { message: string }).message).toMatch(/stores\.file\.directory ".*sub" is not usable/);
    });

    it('reads an entry owned by another user (O_NOATIME refused there), with plain reads from then on', async () => {
      const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
      await store.set('k', { owner: 'parent' });
      await store.set('k2', 'second');
      await store.close();
      // World-readable for this test: the reader is another user, not the files' owner.
      chmodSync(dir, 0o755);
      for (const f of walk(dir)) chmodSync(f, 0o644);
      for (const d of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (statSync(join(dir, d)).isDirectory()) chmodSync(join(dir, d), 0o755);
      }
      const out = await startWorker({ op: 'get', directory: dir, key: 'k' }, asUser).result;
      expect(out.get).toEqual({ owner: 'parent' });
      const again = await startWorker({ op: 'get', directory: dir, key: 'k2' }, asUser).result;
      expect(again.get).toBe('second');
    });

    it('a read-only directory makes writes fail, counted, without crashing', async () => {
      const store = new FileStore({ directory: dir, pruneInterval: 0 }, { namespace: 'x' });
      await store.init();
      await store.close();
      chmodSync(dir, 0o555);
      chmodSync(namespaceDir(dir, 'x'), 0o555);
      const out = await startWorker({ op: 'set', directory: dir }, asUser).result;
      expect(out).toMatchObject({ set: false, get: null });
      expect(out.errors).toBeGreaterThanOrEqual(1);
    });
  });

  it('creates the directory with mode 0700 and entries with mode 0600', async () => {
    const root = join(dir, 'fresh');
    const store = new FileStore({ directory: root, pruneInterval: 0 }, { namespace: 'x' });
    await store.init();
    await store.set('x:a', 1); // keys arrive prefixed (a key of another namespace also leaves a marker)
    expect(statSync(root).mode & 0o777).toBe(0o700);
    const files = walk(root);
    expect(files).toHaveLength(1);
    expect(statSync(files[0]).mode & 0o777).toBe(0o600);
    await store.close();
  });
});
