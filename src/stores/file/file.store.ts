import * as fs from 'node:fs';
import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { CacheArgumentError, CacheConfigError, CacheUnavailableError } from '../../core/cache.errors';
import { systemClock, type Clock } from '../../core/clock';
import { consoleLogger, type CacheLogger } from '../../core/logger';
import type { CacheStore, StoreContext, StoreEntry, StoreStats } from '../../core/store.types';
import { defaultSerializer, type CacheSerializer } from '../../core/serializer';
import { decodeEntry, encodeEntry } from './file-entry.codec';
import { FileLockTimeoutError, FileMutex } from './file-mutex';
import { entryLocation, namespaceDir, tempPath, type EntryLocation } from './file-paths';
import { resolveFileStoreOptions, type FileStoreOptions } from './file-store.options';
import { pruneIdleDirs, remove, removeAll, sweep } from './file-sweep';

export type { FileStoreOptions } from './file-store.options';

// The callback API is markedly faster than fs/promises for whole small files (fewer round trips).
const readFile = promisify(fs.readFile);
const writeFileCb = promisify(fs.writeFile);
const rename = promisify(fs.rename);

/** Eviction stops once entries and bytes are at or below this share of their limits. */
const LOW_WATER = 0.9;

type FileStoreContext = Partial<Pick<StoreContext, 'name' | 'namespace' | 'clock' | 'logger'>>;

interface LiveEntry {
  value: unknown;
  expiresAt: number | undefined;
}

/**
 * A persistent store: one file per entry under `directory`, safe to share between processes.
 * Writes are atomic (temp file + rename), damaged files read as misses, and `increment`, `add`,
 * `touch` and the lock methods are atomic across processes through per-key lock files.
 */
export class FileStore implements CacheStore {
  private readonly root: string;
  private readonly nsDir: string;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly logger: CacheLogger;
  private readonly serializer: CacheSerializer;
  private readonly mutex: FileMutex;
  private readonly timer?: NodeJS.Timeout;
  private readonly figures = { entries: 0, bytes: 0, evictions: 0 };
  /** This process's writes while a sweep runs, which that sweep's listing may have missed. */
  private readonly sinceSweep = { entries: 0, bytes: 0 };
  private sweeping?: Promise<number>;
  private evictionQueued = false;
  private closed = false;

  constructor(
    private readonly options: FileStoreOptions,
    context: FileStoreContext = {},
  ) {
    this.name = context.name ?? 'file';
    const { directory, pruneInterval: interval, lockStaleMs: staleMs } = resolveFileStoreOptions(options, this.name);
    this.root = resolve(directory);
    this.nsDir = namespaceDir(this.root, context.namespace ?? '');
    this.clock = context.clock ?? systemClock;
    this.logger = context.logger ?? consoleLogger;
    this.serializer = options.serializer ?? defaultSerializer;
    this.mutex = new FileMutex({ staleMs, timeoutMs: staleMs + 5_000 });
    if (interval > 0) {
      this.timer = setInterval(() => void this.backgroundSweep(), interval);
      this.timer.unref();
    }
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
    return (await this.readLive(entryLocation(this.nsDir, key)))?.value;
  }

  async has(key: string): Promise<boolean> {
    return (await this.readLive(entryLocation(this.nsDir, key))) !== undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = this.serializer.serialize(value, key);
    await this.write(entryLocation(this.nsDir, key), text, this.expiry(ttlMs));
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    // Serialise everything first so one bad value writes nothing.
    const texts = entries.map((e) => this.serializer.serialize(e.value, e.key));
    await Promise.all(
      entries.map((e, i) => this.write(entryLocation(this.nsDir, e.key), texts[i], this.expiry(e.ttlMs))),
    );
  }

  async delete(key: string): Promise<boolean> {
    const removed = await remove(entryLocation(this.nsDir, key).file);
    if (removed) this.figures.entries = Math.max(0, this.figures.entries - 1);
    return removed;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const results = await Promise.all(keys.map((k) => this.delete(k)));
    return results.filter(Boolean).length;
  }

  async add(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = this.serializer.serialize(value, key);
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'add', async () => {
      if (await this.readLive(loc)) return false;
      await this.write(loc, text, this.expiry(ttlMs));
      return true;
    });
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'increment', async () => {
      const current = await this.readLive(loc);
      const base = current === undefined ? 0 : current.value;
      if (typeof base !== 'number') {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(key)}: it holds a ${base === null ? 'null' : typeof base}, not a number`,
          key,
        );
      }
      const next = base + by;
      if (!Number.isSafeInteger(next) && Number.isInteger(base) && Number.isInteger(by)) {
        throw new CacheArgumentError(
          `Cannot increment key ${JSON.stringify(key)}: the result would exceed Number.MAX_SAFE_INTEGER`,
          key,
        );
      }
      const expiresAt = current ? current.expiresAt : this.expiry(ttlMs);
      await this.write(loc, this.serializer.serialize(next, key), expiresAt);
      return next;
    });
  }

  async ttl(key: string): Promise<number | undefined> {
    const entry = await this.readLive(entryLocation(this.nsDir, key));
    if (!entry) return undefined;
    return entry.expiresAt === undefined ? Infinity : Math.max(0, entry.expiresAt - this.clock.now());
  }

  async touch(key: string, ttlMs?: number): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'touch', async () => {
      const entry = await this.readLive(loc);
      if (!entry) return false;
      await this.write(loc, this.serializer.serialize(entry.value, key), this.expiry(ttlMs));
      return true;
    });
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.add(key, token, ttlMs);
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'renewLock', async () => {
      if ((await this.readLive(loc))?.value !== token) return false;
      await this.write(loc, this.serializer.serialize(token, key), this.expiry(ttlMs));
      return true;
    });
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const loc = entryLocation(this.nsDir, key);
    return this.locked(loc, 'releaseLock', async () => {
      if ((await this.readLive(loc))?.value !== token) return false;
      await remove(loc.file);
      return true;
    });
  }

  /** Removes this cache's entries only: other prefixes and foreign files in the directory stay. */
  async clear(): Promise<void> {
    await removeAll(this.nsDir);
    this.figures.entries = 0;
    this.figures.bytes = 0;
  }

  /**
   * Removes expired and damaged entries now and evicts the least recently written ones beyond
   * `maxEntries`/`maxBytes`; resolves how many files it removed. Runs on its own every
   * `pruneInterval`, never on the read/write path. One process sweeps a namespace at a time.
   */
  prune(): Promise<number> {
    this.sweeping ??= this.mutex
      .tryRun(join(this.nsDir, 'sweep.lock'), () => this.sweepNow())
      .then((n) => n ?? 0)
      .finally(() => {
        this.sweeping = undefined;
        // Writes made while it ran may have crossed a limit again.
        this.maybeEvict();
      });
    return this.sweeping;
  }

  async ping(): Promise<void> {
    await access(this.root, constants.R_OK | constants.W_OK);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** Entries and bytes as of the last sweep plus this process's writes since (other processes' writes show after the next sweep). */
  stats(): StoreStats {
    return { ...this.figures };
  }

  private async sweepNow(): Promise<number> {
    this.sinceSweep.entries = this.sinceSweep.bytes = 0;
    const { live, removed } = await sweep(this.nsDir, this.clock.now());
    await pruneIdleDirs(this.nsDir);
    let bytes = live.reduce((sum, f) => sum + f.size, 0);
    let count = live.length;
    const { maxEntries = Infinity, maxBytes = Infinity } = this.options;
    let evicted = 0;
    if (count > maxEntries || bytes > maxBytes) {
      // Evict down to 90% of the limits, so a full cache does not sweep again on every write.
      const entriesGoal = Math.floor(maxEntries * LOW_WATER);
      const bytesGoal = Math.floor(maxBytes * LOW_WATER);
      live.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const f of live) {
        if (count <= entriesGoal && bytes <= bytesGoal) break;
        if (await remove(f.path)) evicted++;
        count--;
        bytes -= f.size;
      }
    }
    this.figures.entries = count + this.sinceSweep.entries;
    this.figures.bytes = bytes + this.sinceSweep.bytes;
    this.figures.evictions += evicted;
    return removed + evicted;
  }

  private async backgroundSweep(): Promise<void> {
    if (this.closed) return;
    try {
      await this.prune();
    } catch (err) {
      this.logger.warn(`Cache store "${this.name}": sweeping ${this.nsDir} failed: ${(err as Error).message}`);
    }
  }

  private expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.clock.now() + ttlMs;
  }

  /** The entry of `loc` if present, intact, of this key and not expired. Damaged files are removed. */
  private async readLive(loc: EntryLocation): Promise<LiveEntry | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(loc.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const entry = decodeEntry(buf);
    if (!entry) {
      await remove(loc.file).catch(() => undefined);
      return undefined;
    }
    // A hash collision (or a foreign file of the same name) is a miss, never another key's value.
    if (entry.keyText !== loc.keyText) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) return undefined;
    try {
      return { value: this.serializer.deserialize(entry.valueText, loc.key), expiresAt: entry.expiresAt };
    } catch {
      await remove(loc.file).catch(() => undefined);
      return undefined;
    }
  }

  /** Writes a temp file beside the entry and renames it over: readers see the old or the new file. */
  private async write(loc: EntryLocation, text: string, expiresAt: number | undefined): Promise<void> {
    const data = encodeEntry(loc.keyText, text, expiresAt);
    const tmp = tempPath(loc.file);
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFileCb(tmp, data, { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        // The fan-out directory is created on first use (or was pruned by a sweep while idle: it is
        // fresh after this mkdir, so the next attempt finds it).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
        await mkdir(loc.dir, { recursive: true, mode: 0o700 });
      }
    }
    try {
      await rename(tmp, loc.file);
    } catch (err) {
      await remove(tmp).catch(() => undefined);
      throw err;
    }
    this.figures.entries++;
    this.figures.bytes += data.length;
    this.sinceSweep.entries++;
    this.sinceSweep.bytes += data.length;
    this.maybeEvict();
  }

  private maybeEvict(): void {
    const { maxEntries = Infinity, maxBytes = Infinity } = this.options;
    if (this.evictionQueued || this.closed) return;
    if (this.figures.entries <= maxEntries && this.figures.bytes <= maxBytes) return;
    // Off the hot path: the write that crossed the limit does not wait for the sweep.
    this.evictionQueued = true;
    setImmediate(() => {
      this.evictionQueued = false;
      void this.backgroundSweep();
    });
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
