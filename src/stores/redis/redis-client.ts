import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { CacheConfigError } from '../../core/cache.errors';
import { MAX_TIMER_MS } from '../../core/ttl';
import type { RedisTarget } from './redis-store.options';

/** A connection of the store: a single node (also through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

type IoredisModule = typeof import('ioredis');
/** The two ioredis classes the package uses. */
export type IoredisLib = Pick<IoredisModule, 'Redis' | 'Cluster'>;

/** Loads the optional ioredis peer, with a clear error when it is not installed. */
export async function loadIoredis(store: string): Promise<IoredisLib> {
  type Lib = Partial<IoredisLib>;
  let mod: Lib & { default?: Lib };
  try {
    mod = (await import('ioredis')) as Lib & { default?: Lib };
  } catch (err) {
    throw new CacheConfigError(
      `stores.${store}: driver "redis" needs the "ioredis" package (npm i ioredis)`,
      store,
      'driver',
      { cause: err },
    );
  }
  // CommonJS interop differs between the CJS build and ESM loaders; both shapes carry these.
  const Redis = mod.Redis ?? mod.default?.Redis;
  const Cluster = mod.Cluster ?? mod.default?.Cluster;
  if (!Redis || !Cluster) {
    throw new CacheConfigError(`stores.${store}: the installed "ioredis" is not version 5`, store, 'driver');
  }
  return { Redis, Cluster };
}

/**
 * Defaults that make an owned connection fail fast: nothing waits in an offline queue, every
 * command has a deadline, and a command cut off by a disconnect is not silently re-sent later
 * (an increment must not count twice). Connecting is always explicit (`lazyConnect`), so the
 * connection decides when, and a start-up failure never surfaces as an unhandled rejection.
 * `disconnectTimeout: 0`: ioredis' `disconnect()` arms a timer (2 s by default, not unref'd) to
 * destroy a socket that does not close, cleared by the socket's `close` event; on a socket that
 * had already closed (Redis down, refused credentials) nothing clears it, and a closed store kept
 * the process alive for 2 s. The store disconnects only after QUIT was answered or when there is
 * nothing left to send, so destroying the socket at once loses nothing.
 */
function failFast(timeout: number): Partial<RedisOptions> {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: timeout,
    autoResendUnfulfilledCommands: false,
    disconnectTimeout: 0,
  };
}

/**
 * Creates the connection described by the target (never from `client`, which is the user's).
 * ioredis' own retry strategies (growing delays, capped at 2 s) reconnect it after a failure.
 */
export function createClient(lib: IoredisLib, target: RedisTarget, timeout: number): RedisClient {
  const base = failFast(timeout);
  if (target.cluster) {
    const { redisOptions, ...clusterOptions } = (target.cluster.options ?? {}) as ClusterOptions;
    return new lib.Cluster(target.cluster.nodes as (string | { host: string; port: number })[], {
      ...clusterOptions,
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: {
        commandTimeout: timeout,
        autoResendUnfulfilledCommands: false,
        disconnectTimeout: 0,
        ...redisOptions,
      },
    });
  }
  if (target.sentinel) {
    return new lib.Redis({ ...base, ...(target.sentinel as RedisOptions), lazyConnect: true });
  }
  const connection = { ...base, ...(target.options as RedisOptions | undefined), lazyConnect: true };
  return target.url ? new lib.Redis(target.url, connection) : new lib.Redis(connection);
}

/**
 * Node keeps one list of timers per duration and drops it (re-arming its libuv timer) whenever
 * its last timer is cleared. Every command's deadline is a timer of the store's `timeout`
 * (ioredis' `commandTimeout`, or the store's own for a user's client), so one command at a time
 * built and dropped that list on every command. An unref'd interval of the same duration keeps
 * the list, and a deadline is then an append to it: 0.4 µs less CPU per command in the bench
 * (docs/benchmarks.md). One interval per duration, shared; it does nothing, wakes once per `ms`
 * and never keeps the process alive. Returns the release (idempotent). A duration Node does not
 * keep as it is (below 1 ms or above 2^31 - 1, which it turns into 1 ms) holds nothing.
 */
export function holdTimerList(ms: number): () => void {
  if (!(ms >= 1 && ms <= MAX_TIMER_MS)) return () => undefined;
  let held = heldLists.get(ms);
  if (held === undefined) {
    const timer = setInterval(() => undefined, ms);
    timer.unref();
    heldLists.set(ms, (held = { timer, holders: 0 }));
  }
  const h = held;
  h.holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--h.holders > 0) return;
    clearInterval(h.timer);
    heldLists.delete(ms);
  };
}

const heldLists = new Map<number, { timer: NodeJS.Timeout; holders: number }>();

/** The interval holding the timer list of `ms`, if a store holds it (for tests and diagnostics). */
export function heldTimerList(ms: number): NodeJS.Timeout | undefined {
  return heldLists.get(ms)?.timer;
}

/** Whether a user's client already fails fast on its own: no offline queue, a short enough deadline. */
export function hasFailFastDeadline(client: RedisClient, timeout: number): boolean {
  const opts = client.options as { commandTimeout?: number; enableOfflineQueue?: boolean; redisOptions?: object };
  const node = (client.isCluster ? opts.redisOptions : opts) as { commandTimeout?: number } | undefined;
  const deadline = node?.commandTimeout;
  return opts.enableOfflineQueue === false && typeof deadline === 'number' && deadline <= timeout;
}

/** Statuses in which ioredis is retrying after a failure: operations fail at once. */
export const RETRYING: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

/**
 * Resolves when `client` is ready; rejects after `ms` with the last connection error. `failOn`
 * says which connection errors end the wait at once (`true`: any, for a first look that wants
 * the cause; a predicate: only those that retrying cannot cure, such as refused credentials).
 */
export function waitReady(
  client: RedisClient,
  ms: number,
  failOn: boolean | ((err: unknown) => boolean),
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    const done = (err?: unknown): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onReady = (): void => done();
    const onError = (err: unknown): void => {
      lastError = err;
      if (failOn === true || (typeof failOn === 'function' && failOn(err))) done(err);
    };
    const onEnd = (): void => done(lastError ?? new Error('the connection was closed'));
    const timer = setTimeout(() => done(lastError ?? new Error(`not connected within ${ms} ms`)), ms);
    client.once('ready', onReady);
    client.on('error', onError);
    client.once('end', onEnd);
  });
}

/** Starts connecting; failures surface as 'error' events and through waitReady while ioredis retries. */
export function connectInBackground(client: RedisClient): void {
  client.connect().catch(() => undefined);
}
