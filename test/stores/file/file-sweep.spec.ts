import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneIdleDirs, removeAll } from '../../../src/stores/file/file-sweep';

describe('file sweep: directories', () => {
  let ns: string;
  beforeEach(() => (ns = mkdtempSync(join(tmpdir(), 'cachekit-sweep-'))));
  afterEach(() => rmSync(ns, { recursive: true, force: true }));

  const age = (dir: string, seconds: number) => {
    const t = Date.now() / 1000 - seconds;
    utimesSync(dir, t, t);
  };

  it('clear() removes files but leaves directories (a writer may be about to use one)', async () => {
    mkdirSync(join(ns, 'ab', 'c'), { recursive: true });
    writeFileSync(join(ns, 'ab', 'c', `${'a'.repeat(64)}.entry`), 'x');
    await removeAll(ns);
    expect(readdirSync(join(ns, 'ab', 'c'))).toEqual([]);
  });

  it('the sweep prunes empty directories idle for a minute, keeps fresh and non-empty ones', async () => {
    mkdirSync(join(ns, 'ab', 'c'), { recursive: true }); // idle and empty: pruned
    mkdirSync(join(ns, 'cd', 'e'), { recursive: true }); // fresh and empty: kept
    mkdirSync(join(ns, 'ef', '0'), { recursive: true }); // idle but holds an entry: kept
    writeFileSync(join(ns, 'ef', '0', `${'b'.repeat(64)}.entry`), 'x');
    for (const d of ['ab/c', 'ab', 'ef/0', 'ef']) age(join(ns, d), 120);
    await pruneIdleDirs(ns);
    // Removing ab/c touched ab: it is fresh again, and goes on a later sweep once idle.
    expect(readdirSync(ns).sort()).toEqual(['ab', 'cd', 'ef']);
    expect(readdirSync(join(ns, 'ab'))).toEqual([]);
    expect(readdirSync(join(ns, 'cd'))).toEqual(['e']);
    expect(readdirSync(join(ns, 'ef'))).toEqual(['0']);
    age(join(ns, 'ab'), 120);
    await pruneIdleDirs(ns);
    expect(readdirSync(ns).sort()).toEqual(['cd', 'ef']);
  });
});
