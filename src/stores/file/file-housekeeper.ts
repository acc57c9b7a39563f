import { join } from 'node:path';
import type { Clock } from '../../core/clock';
import type { CacheLogger } from '../../core/logger';
import type { StoreStats } from '../../core/store.types';
import type { FileMutex } from './file-mutex';
import { pruneIdleDirs, remove, sweep } from './file-sweep';

/** Eviction stops once entries and bytes are at or below this share of their limits. */
const LOW_WATER = 0.9;

/** What a {@link FileHousekeeper} needs from its store. */
export interface FileHousekeeperOptions {
  /** The namespace directory it sweeps. */
  nsDir: string;
  /** The store name, for log lines. */
  name: string;
  maxEntries: number | undefined;
  maxBytes: number | undefined;
  /** ms between background sweeps; 0: none. */
  pruneInterval: number;
  clock: Clock;
  logger: CacheLogger;
  mutex: FileMutex;
}

/**
 * The file store's housekeeping: the background sweep (expired and damaged files, idle directories),
 * eviction beyond `maxEntries`/`maxBytes`, and the entry/byte figures of `stats()`. Nothing here
 * runs on the read/write path: a write only updates the figures and may queue a sweep.
 */
export class FileHousekeeper {
  private readonly timer?: NodeJS.Timeout;
  private readonly figures = { entries: 0, bytes: 0, evictions: 0 };
  /** This process's writes while a sweep runs, which that sweep's listing may have missed. */
  private readonly sinceSweep = { entries: 0, bytes: 0 };
  private sweeping?: Promise<number>;
  private evictionQueued = false;
  private closed = false;

  constructor(private readonly options: FileHousekeeperOptions) {
    if (options.pruneInterval > 0) {
      this.timer = setInterval(() => void this.backgroundSweep(), options.pruneInterval);
      this.timer.unref();
    }
  }

  /** Counts a file of `bytes` written by this process, and queues an eviction if a limit is crossed. */
  readonly wrote = (bytes: number): void => {
    this.figures.entries++;
    this.figures.bytes += bytes;
    this.sinceSweep.entries++;
    this.sinceSweep.bytes += bytes;
    this.maybeEvict();
  };

  /** Counts an entry removed by this process. */
  deleted(): void {
    this.figures.entries = Math.max(0, this.figures.entries - 1);
  }

  /** The namespace was cleared. */
  cleared(): void {
    this.figures.entries = 0;
    this.figures.bytes = 0;
  }

  /** See `FileStore.prune`. One process sweeps a namespace at a time (the others skip that round). */
  prune(): Promise<number> {
    this.sweeping ??= this.options.mutex
      .tryRun(join(this.options.nsDir, 'sweep.lock'), () => this.sweepNow())
      .then((n) => n ?? 0)
      .finally(() => {
        this.sweeping = undefined;
        // Writes made while it ran may have crossed a limit again.
        this.maybeEvict();
      });
    return this.sweeping;
  }

  stats(): StoreStats {
    return { ...this.figures };
  }

  /** Stops the timer and waits for a sweep in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  private async sweepNow(): Promise<number> {
    this.sinceSweep.entries = this.sinceSweep.bytes = 0;
    const { nsDir, clock, maxEntries = Infinity, maxBytes = Infinity } = this.options;
    const { live, removed } = await sweep(nsDir, clock.now());
    await pruneIdleDirs(nsDir);
    let bytes = live.reduce((sum, f) => sum + f.size, 0);
    let count = live.length;
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
      this.options.logger.warn(
        `Cache store "${this.options.name}": sweeping ${this.options.nsDir} failed: ${(err as Error).message}`,
      );
    }
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
}
