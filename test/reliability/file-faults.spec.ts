/**
 * File-store faults on real processes: a writer SIGKILLed mid-write (through the Cache API,
 * with tags and counters), and the directory made read-only under load. Readers never see a
 * torn or misplaced value, nothing crashes and the cache recovers on its own.
 */
import { jest } from '@jest/globals';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager } from '../../src';
import { LoadProcess, sleep } from './fixtures/load-process';

jest.setTimeout(120_000);

const silent = { warn: () => undefined, error: () => undefined };
let dir: string;
let load: LoadProcess | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachekit-file-fault-'));
});
afterEach(() => {
  if (load && load.child.exitCode === null) load.child.kill('SIGKILL');
  load = undefined;
  rmSync(dir, { recursive: true, force: true });
  expect(unhandled).toEqual([]);
});

/** RELIABILITY_FIGURES=1 prints the figures quoted in docs/reliability.md. */
function figures(label: string, f: object): void {
  if (process.env.RELIABILITY_FIGURES === '1') process.stdout.write(`${label}: ${JSON.stringify(f)}\n`);
}

/** Every directory under `root` (itself included). */
function dirs(root: string): string[] {
  // Dirent types, not stat: temp files of the running writer come and go while we list.
  const sub = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(d.parentPath, d.name));
  return [root, ...sub];
}

describe('file store faults', () => {
  it('a writer SIGKILLed mid-write (twice) leaves only whole values; the cache keeps working', async () => {
    const pad = 'x'.repeat(20_000);
    const store = { driver: 'file' as const, directory: dir, pruneInterval: 0 };
    for (let round = 0; round < 2; round++) {
      load = await LoadProcess.start({ store, prefix: 'w', body: pad.length });
      await load.progress(50 + round * 20);
      load.child.kill('SIGKILL');
      expect((await load.exited).signal).toBe('SIGKILL');
    }
    const manager = createCacheManager({ prefix: 'w', logger: silent, stores: { disk: store } });
    try {
      const cache = manager.store('disk');
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      const values = await cache.getMany<{ key: string; seq: number; body: string }>(keys);
      let found = 0;
      for (const key of keys) {
        const v = values[key];
        if (v === undefined) continue;
        found++;
        expect(v.key).toBe(key);
        expect(v.body).toBe(pad);
      }
      expect(found).toBeGreaterThan(0);
      // Locks and half-written temp files of the dead writer do not block anyone.
      const before = (await cache.get<number>('counter')) ?? 0;
      expect(typeof before).toBe('number');
      expect(await cache.increment('counter')).toBe(before + 1);
      expect(await cache.tags(['load']).set('k0', 'after')).toBe(true);
      expect(await cache.get('k0')).toBe('after');
      await cache.tags(['load']).flush();
      expect(await cache.get('k0')).toBeUndefined();
    } finally {
      await manager.close();
    }
  });

  it('the directory made read-only under load: writes fail open, counters throw, no crash; recovers when writable', async () => {
    // Root ignores file modes, so the load runs as `nobody` in a directory it owns.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    if (uid !== undefined) chownSync(dir, uid, uid);
    const lockStaleMs = 500;
    load = await LoadProcess.start(
      { store: { driver: 'file', directory: dir, pruneInterval: 0, lockStaleMs }, prefix: 'ro' },
      uid,
    );
    await load.progress(100);
    const all = dirs(dir);
    for (const d of all) chmodSync(d, 0o500);
    try {
      const before = await load.report();
      load.resetLatency();
      await sleep(1500);
      const readOnly = await load.report();
      figures('file read-only', readOnly);
      // Nothing was stored while read-only; failures were typed, nothing crashed.
      expect(readOnly.okWrites).toBe(before.okWrites);
      expect(Object.keys(readOnly.errors)).toEqual(['CacheUnavailableError']);
      expect(readOnly.unhandled).toBe(0);
    } finally {
      for (const d of all) chmodSync(d, 0o700);
    }
    // A counter lock whose release failed while read-only is left behind: counters on that key
    // wait until it is stale (lockStaleMs) and at most lockStaleMs + 5 s (the file store has no
    // per-operation timeout). Reported; see docs/reliability.md.
    const up = await load.progress(100);
    figures(`file writable again: recovered after ${up.waitedMs} ms`, up);
    expect(up.maxLatencyMs).toBeLessThan(lockStaleMs + 5000 + 1500);
    const final = await load.stop();
    expect(final.unhandled).toBe(0);
    expect(final.wrong).toEqual([]);
  });
});
