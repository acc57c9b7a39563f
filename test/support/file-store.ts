/** Shared set-up of the file store specs: real temp directories, a manual clock, stores closed after each test. */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, type FileStoreOptions } from '../../src';
import { ManualClock } from '../../src/testing';

export interface FileStoreFixture {
  /** The temp directory of the current test. */
  readonly dir: string;
  readonly clock: ManualClock;
  /** A store named `disk` over the test's directory (no sweep timer unless `extra` sets one). */
  make(namespace?: string, extra?: Partial<FileStoreOptions>): FileStore;
}

/** Registers beforeEach/afterEach hooks that give every test a fresh directory and clock. */
export function useFileStores(): FileStoreFixture {
  const stores: FileStore[] = [];
  const state = { dir: '', clock: new ManualClock() };
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), 'cachekit-file-'));
    state.clock = new ManualClock();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir;
    },
    get clock() {
      return state.clock;
    },
    make(namespace = 'app', extra = {}) {
      const store = new FileStore(
        { directory: state.dir, pruneInterval: 0, ...extra },
        { namespace, clock: state.clock, name: 'disk' },
      );
      stores.push(store);
      return store;
    },
  };
}

/** Every file under `root`, recursively (files removed while listing are skipped). */
export function walk(root: string): string[] {
  if (!existsSync(root)) return [];
  return (
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((f) => join(root, f))
      // Tolerate files removed between listing and stat (a background sweep may be running).
      .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() ?? false)
  );
}
