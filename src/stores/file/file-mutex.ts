import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Options of {@link FileMutex}. */
export interface FileMutexOptions {
  /** A holder older than this is presumed crashed and its lock is broken. */
  staleMs: number;
  /** How long `run` waits for a lock before giving up. */
  timeoutMs: number;
}

interface Holder {
  token?: string;
  pid?: number;
  host?: string;
  until?: number;
}

const HOST = hostname();

/** Thrown when a lock could not be taken within `timeoutMs`. */
export class FileLockTimeoutError extends Error {
  constructor(readonly path: string) {
    super(`timed out waiting for lock file ${path}`);
  }
}

/**
 * A cross-process mutex on one path: the holder creates `<path>` with O_EXCL and writes its
 * token, pid, host and a deadline (real time). A waiter breaks the lock only when it is stale:
 * past its deadline, or held by a process of this host that no longer exists (crash recovery is
 * then immediate). Breaking goes through a second O_EXCL file (`<path>.break`) and re-reads the
 * lock before unlinking, so two waiters can never both break one lock and both enter.
 *
 * Callers in one process queue on a promise chain first, so only one of them polls the file.
 */
export class FileMutex {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: FileMutexOptions) {}

  /** Runs `fn` while holding the lock at `path`. */
  async run<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(path) ?? Promise.resolve();
    const result = previous.then(async () => {
      const body = await this.acquire(path, this.options.timeoutMs);
      try {
        return await fn();
      } finally {
        await this.release(path, body);
      }
    });
    const tail = result.catch(() => undefined);
    this.queues.set(path, tail);
    void tail.then(() => {
      if (this.queues.get(path) === tail) this.queues.delete(path);
    });
    return result;
  }

  /** Runs `fn` if the lock is free now (or stale); resolves `undefined` without running it otherwise. */
  async tryRun<T>(path: string, fn: () => Promise<T>): Promise<T | undefined> {
    let body: string;
    try {
      body = await this.acquire(path, 0);
    } catch (err) {
      if (err instanceof FileLockTimeoutError) return undefined;
      throw err;
    }
    try {
      return await fn();
    } finally {
      await this.release(path, body);
    }
  }

  private async acquire(path: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const holder: Holder = {
        token: randomBytes(8).toString('hex'),
        pid: process.pid,
        host: HOST,
        until: Date.now() + this.options.staleMs,
      };
      const body = JSON.stringify(holder);
      try {
        await writeFile(path, body, { flag: 'wx', mode: 0o600 });
        return body;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          await mkdir(dirname(path), { recursive: true, mode: 0o700 });
          continue;
        }
        if (code !== 'EEXIST') throw err;
      }
      if (await this.breakIfStale(path)) continue;
      if (Date.now() >= deadline) throw new FileLockTimeoutError(path);
      // Short randomised back-off: critical sections last a few syscalls.
      await sleep(1 + Math.random() * Math.min(2 ** attempt, 16));
    }
  }

  private async release(path: string, body: string): Promise<void> {
    // Only remove the lock if it is still ours (it may have been broken after a very long stall).
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === body) await unlink(path).catch(ignoreMissing);
  }

  /** Breaks the lock at `path` if its holder is gone; resolves whether the caller should retry at once. */
  private async breakIfStale(path: string): Promise<boolean> {
    const seen = await readHolder(path);
    if (seen === 'gone') return true;
    if (!this.isStale(seen)) return false;
    const breaker = `${path}.break`;
    try {
      await writeFile(breaker, '', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A breaker that crashed mid-way leaves its file behind; it is removed once old.
      const s = await stat(breaker).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > this.options.staleMs) await unlink(breaker).catch(ignoreMissing);
      return false;
    }
    try {
      const again = await readFile(path, 'utf8').catch(() => undefined);
      if (again === seen.text) await unlink(path).catch(ignoreMissing);
    } finally {
      await unlink(breaker).catch(ignoreMissing);
    }
    return true;
  }

  private isStale(seen: { text: string; mtimeMs: number }): boolean {
    let holder: Holder;
    try {
      holder = JSON.parse(seen.text) as Holder;
    } catch {
      // Created but not yet written (or the writer died in between): judge by age.
      return Date.now() - seen.mtimeMs > this.options.staleMs;
    }
    if (typeof holder.until !== 'number' || holder.until < Date.now()) return true;
    return holder.host === HOST && typeof holder.pid === 'number' && !isAlive(holder.pid);
  }
}

async function readHolder(path: string): Promise<{ text: string; mtimeMs: number } | 'gone'> {
  try {
    const [text, s] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
