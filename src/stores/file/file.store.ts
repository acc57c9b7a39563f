import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { incremented } from '../../core/increment';
import { CacheConfigError, CacheSerializationError, CacheUnavailableError } from '../../core/cache.errors';
import { UnreadableEntry } from '../../core/store-access/unreadable-entry';
import { systemClock, type Clock } from '../../core/clock';
import { consoleLogger } from '../../core/logger';
import type { CacheStore, StoreContext, StoreEntry, StoreStats } from '../../core/store.types';
import { withKeyHashing } from '../../core/pipeline';
import { FileEntries } from './file-entries';
import { FileHousekeeper } from './file-housekeeper';
import { throttleStep, type ThrottleHit, type ThrottleResult } from '../../core/locks/throttle-step';
import { FileLockTimeoutError, FileMutex } from './file-mutex';
import { entryLocation, namespaceDir, tempPath, type EntryLocation } from './file-paths';
import { resolveFileStoreOptions, type FileStoreOptions } from './file-store.options';
import { remove, removeAll, removeWhereKey } from './file-sweep';

export type { FileStoreOptions } from './file-store.options';

/** The marker of a directory whose entries include keys of other namespaces (see `markShared`). */
const SHARED_MARK = 'shared-namespaces';

type FileStoreContext = Partial<Pick<StoreContext, 'name' | 'namespace' | 'clock' | 'logger'>>;

/**
 * A persistent store: one file per entry under `directory`, safe to share between processes.
 * Writes are atomic (temp file + rename), damaged files read as misses, and `increment`, `add`,
 * `touch` and the lock methods are atomic across processes through per-key lock files.
 *
 * This class is the store's API; entry files are read and written by {@link FileEntries}, sweeps,
 * eviction and figures belong to {@link FileHousekeeper}, per-key locks to {@link FileMutex}.
 */
export class FileStore implements CacheStore {
  private readonly root: string;
  private readonly nsDir: string;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly entries: FileEntries;
  private readonly housekeeper: FileHousekeeper;
  private readonly mutex: FileMutex;
  /** The namespace the store was built with: its directory's. */
  private readonly builtNs: string;
  /** Set once this process has left the shared marker (see {@link markShared}). */
  private marked?: Promise<void>;

  constructor(options: FileStoreOptions, context: FileStoreContext = {}) {
    this.name = context.name ?? 'file';
    const resolved = resolveFileStoreOptions(options, this.name);
    this.root = resolve(resolved.directory);
    this.nsDir = namespaceDir(this.root, context.namespace ?? '');
    this.clock = context.clock ?? systemClock;
    this.mutex = new FileMutex({ staleMs: resolved.lockStaleMs, timeoutMs: resolved.lockStaleMs + 5_000 });
    this.housekeeper = new FileHousekeeper({
      nsDir: this.nsDir,
      name: this.name,
      maxEntries: resolved.maxEntries,
      maxBytes: resolved.maxBytes,
      pruneInterval: resolved.pruneInterval,
      clock: this.clock,
      logger: context.logger ?? consoleLogger,
      mutex: this.mutex,
    });
    const own = context.namespace ? `${context.namespace}:` : '';
    this.builtNs = context.namespace ?? '';
    const marking = (key: string) => (key.startsWith(own) ? undefined : this.markShared());
    this.entries = new FileEntries(resolved.pipeline.serializer, this.clock, this.housekeeper.wrote, marking);
    // hashKeys: the store only ever sees hashed keys (a constructor may return a view of itself).
    return withKeyHashing(this, resolved.pipeline, context.namespace ?? '', this.name);
  }

  /**
   * Creates the directory and checks it can be read and written; the manager's `ready()` (and the
   * Nest module at start-up) call it. Fails with a CacheConfigError naming the store and `directory`.
   */
  async init(): Promise<void> {
    try {
      await mkdir(this.nsDir, { recursive: true, mode: 0o700 });
      await access(this.nsDir, constants.R_OK | constants.W_OK | constants.X_OK);
      // access() says yes to root on a read-only mount: a real write is the only proof.
      const probe = tempPath(join(this.nsDir, 'probe'));
      await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
      await rm(probe, { force: true });
    } catch (err) {
      throw new CacheConfigError(
        `stores.${this.name}.directory "${this.root}" is not usable: ${(err as Error).message}`,
        this.name,
        'directory',
        { cause: err },
      );
    }
    await this.prune();
  }

  async get(key: string): Promise<unknown> {
    return (await this.entries.read(entryLocation(this.nsDir, key), true))?.value;
  }

  async has(key: string): Promise<boolean> {
    return (await this.entries.read(entryLocation(this.nsDir, key), true)) !== undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    // An entry that cannot be decoded is one miss and one counted error; the others stand.
    const read = (k: string) =>
      this.get(k).catch((err: unknown) => {
        if (err instanceof CacheSerializationError) return new UnreadableEntry(err);
        throw err;
      });
    return Promise.all(keys.map(read));
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = await this.entries.encode(value, key);
    await this.entries.write(entryLocation(this.nsDir, key), text, this.entries.expiry(ttlMs));
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    // Serialise everything first so one bad value writes nothing.
    const texts = await Promise.all(entries.map((e) => this.entries.encode(e.value, e.key)));
    await Promise.all(
      entries.map((e, i) =>
        this.entries.write(entryLocation(this.nsDir, e.key), texts[i], this.entries.expiry(e.ttlMs)),
      ),
    );
  }

  async delete(key: string): Promise<boolean> {
    const removed = await remove(entryLocation(this.nsDir, key).file);
    if (removed) this.housekeeper.deleted();
    return removed;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const results = await Promise.all(keys.map((k) => this.delete(k)));
    return results.filter(Boolean).length;
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = await this.entries.encode(value, key);
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'add', async () => {
      if (await this.entries.read(loc)) return false;
      await this.entries.write(loc, text, this.entries.expiry(ttlMs));
      return true;
    });
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'increment', async () => {
      const current = await this.entries.read(loc);
      const next = incremented(key, current?.value, by);
      const expiresAt = current ? current.expiresAt : this.entries.expiry(ttlMs);
      await this.entries.write(loc, this.entries.serialize(next, key), expiresAt);
      return next;
    });
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = await this.entries.read(entryLocation(this.nsDir, key));
    if (!entry) return undefined;
    return entry.expiresAt === undefined ? Infinity : Math.max(0, entry.expiresAt - this.clock.now());
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'touch', async () => {
      const entry = await this.entries.read(loc);
      if (!entry) return false;
      await this.entries.write(loc, await this.entries.encode(entry.value, key), this.entries.expiry(ttlMs));
      return true;
    });
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.add(key, token, ttlMs);
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'renewLock', async () => {
      if ((await this.entries.read(loc))?.value !== token) return false;
      await this.entries.write(loc, this.entries.serialize(token, key), this.entries.expiry(ttlMs));
      return true;
    });
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'releaseLock', async () => {
      if ((await this.entries.read(loc))?.value !== token) return false;
      await remove(loc.file);
      return true;
    });
  }

  /** A rate-limit hit: `throttleStep` on the entry, under the key's mutex (atomic across processes). */
  async throttle(key: string, hit: ThrottleHit): Promise<ThrottleResult> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'throttle', async () => {
      const step = throttleStep((await this.entries.read(loc))?.value, hit, this.clock.now());
      const keepMs = Math.max(1, Math.ceil(step.keepMs));
      await this.entries.write(loc, this.entries.serialize(step.record, key), this.entries.expiry(keepMs));
      return step.result;
    });
  }

  /** Removes this cache's entries only: other prefixes and foreign files in the directory stay. */
  async clear(): Promise<void> {
    await removeAll(this.nsDir);
    this.housekeeper.cleared();
  }

  /**
   * Removes the entries of `namespace` only. One instance may serve caches of several
   * namespaces, whose entries all live under the directory of the namespace it was built with:
   * once the directory is marked so, each entry's key is read to tell them apart; until then
   * (one namespace only) the built namespace is cleared as by `clear()`. Empty: every entry.
   */
  async clearNamespace(namespace: string): Promise<void> {
    if (!namespace || (namespace === this.builtNs && !(await exists(join(this.nsDir, SHARED_MARK))))) {
      return this.clear();
    }
    // The figures of `stats()` catch up at the next sweep (other namespaces' entries stay).
    await removeWhereKey(this.nsDir, namespace + ':');
  }

  /**
   * Before the first write of a key outside the namespace the store was built with (an instance
   * shared by caches of several prefixes), leaves a marker in the directory, for every process:
   * `clearNamespace` of the built namespace then reads keys instead of removing every file.
   */
  private markShared(): Promise<void> {
    const mark = async () => {
      await mkdir(this.nsDir, { recursive: true, mode: 0o700 });
      await writeFile(join(this.nsDir, SHARED_MARK), '', { mode: 0o600 });
    };
    return (this.marked ??= mark().catch((err: unknown) => {
      this.marked = undefined;
      throw err;
    }));
  }

  /**
   * Removes expired and damaged entries now and evicts the least recently written ones beyond
   * `maxEntries`/`maxBytes`; resolves how many files it removed. Runs on its own every
   * `pruneInterval`, never on the read/write path. One process sweeps a namespace at a time.
   */
  prune(): Promise<number> {
    return this.housekeeper.prune();
  }

  async ping(): Promise<void> {
    await access(this.root, constants.R_OK | constants.W_OK);
  }

  async close(): Promise<void> {
    await this.housekeeper.close();
  }

  /** Entries and bytes as of the last sweep plus this process's writes since (other processes' writes show after the next sweep). */
  stats(): StoreStats {
    return this.housekeeper.stats();
  }

  private async locked<T>(loc: EntryLocation, op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.mutex.run(loc.lock, fn);
    } catch (err) {
      if (err instanceof FileLockTimeoutError) throw new CacheUnavailableError(this.name, op, err);
      throw err;
    }
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
