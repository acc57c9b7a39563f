import type { Ttl } from '../../core/ttl';

/** Options of `@CacheLock(name, options)`. */
export interface CacheLockOptions {
  /**
   * Lease of the lock, renewed while the method runs (so it only matters when the process dies
   * mid-call: then the lock frees itself after this long).
   * @default '10s'
   */
  ttl?: Ttl;
  /**
   * How long a call waits for another instance's run to finish. Omitted: a call that finds the
   * lock held rejects with `CacheLockTimeoutError` at once.
   */
  wait?: Ttl;
  /** The store holding the lock (a shared one: Redis, Postgres, file). @default the default store */
  store?: string;
}

/** The lock's name: a string (templates such as `'import:{0}'` see the arguments) or a function of them. */
export type CacheLockName = string | ((...args: never[]) => string);

/** `@CacheLock`'s options as recorded on the method. */
export type MethodLock = CacheLockOptions & { name: CacheLockName };
