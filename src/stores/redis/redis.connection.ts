import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { CacheConfigError, CacheError, CacheTimeoutError, CacheUnavailableError } from '../../core/cache.errors';
import type { CacheLogger } from '../../core/logger';
import { hasFailFastDeadline } from './redis.config';
import type { RedisStoreOptions } from './redis-store.options';
import type { RedisScript } from './redis.scripts';

/** A connection of the store: a single node (also through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

type IoredisModule = typeof import('ioredis');

/** Loads the optional ioredis peer, with a clear error when it is not installed. */
export async function loadIoredis(store: string): Promise<Pick<IoredisModule, 'Redis' | 'Cluster'>> {
  type Lib = Partial<Pick<IoredisModule, 'Redis' | 'Cluster'>>;
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
 * (an increment must not count twice).
 */
function failFast(timeout: number): Partial<RedisOptions> {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: timeout,
    autoResendUnfulfilledCommands: false,
  };
}

/** Creates the connection described by the options (never from `client`, which is the user's). */
export function createClient(
  lib: Pick<IoredisModule, 'Redis' | 'Cluster'>,
  options: RedisStoreOptions,
  timeout: number,
): RedisClient {
  const base = failFast(timeout);
  if (options.cluster) {
    const { redisOptions, ...clusterOptions } = (options.cluster.options ?? {}) as ClusterOptions;
    return new lib.Cluster(options.cluster.nodes as (string | { host: string; port: number })[], {
      ...clusterOptions,
      lazyConnect: true,
      enableOfflineQueue: false,
      redisOptions: { commandTimeout: timeout, autoResendUnfulfilledCommands: false, ...redisOptions },
    });
  }
  if (options.sentinel) {
    return new lib.Redis({ ...base, ...(options.sentinel as RedisOptions), lazyConnect: true });
  }
  const connection = { ...base, ...(options.options as RedisOptions | undefined), lazyConnect: true };
  return options.url ? new lib.Redis(options.url, connection) : new lib.Redis(connection);
}

/** Statuses in which ioredis is retrying after a failure: operations fail at once. */
export const RETRYING: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

/**
 * Resolves when `client` is ready; rejects after `ms`, or at the first connection error when
 * `failOnError` (start-up checks want the cause, not a timeout).
 */
export function waitReady(client: RedisClient, ms: number, failOnError: boolean): Promise<void> {
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
      if (failOnError) done(err);
    };
    const onEnd = (): void => done(lastError ?? new Error('the connection was closed'));
    const timer = setTimeout(() => done(lastError ?? new Error(`not connected within ${ms} ms`)), ms);
    client.once('ready', onReady);
    client.on('error', onError);
    client.once('end', onEnd);
  });
}

/** Hides the password of a `redis://user:password@host` URL. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)([^@/]*@)/, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon === -1 ? '***@' : `${auth.slice(0, colon)}:***@`}`;
  });
}

/** Where the store connects, for messages (never with a password). */
export function describeTarget(options: RedisStoreOptions): string {
  if (options.client) return 'the provided client';
  if (options.cluster) {
    const nodes = options.cluster.nodes.map((n) => (typeof n === 'string' ? redactUrl(n) : `${n.host}:${n.port}`));
    return `cluster ${nodes.join(', ')}`;
  }
  if (options.sentinel) {
    return `sentinel master "${options.sentinel.name}" via ${options.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}`;
  }
  if (options.url) return redactUrl(options.url);
  return `${options.options?.host ?? '127.0.0.1'}:${options.options?.port ?? 6379}`;
}

/** Maps an ioredis failure to the cache's typed errors. */
export function toStoreError(store: string, op: string, err: unknown, timeout: number): CacheError {
  if (err instanceof CacheError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message === 'Command timed out') return new CacheTimeoutError(store, op, timeout);
  return new CacheUnavailableError(store, op, err instanceof Error ? err : new Error(redactUrl(message)));
}

/** Rejects with a timeout error when `promise` takes longer than `ms` (for user-owned clients). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The connection of one Redis store over its life: started at the first use (ioredis is loaded
 * then), waited for up to `timeout` before the first connection, failing at once while ioredis
 * retries after a failure, and closed on shutdown unless the application owns it.
 */
export class RedisConnection {
  /** The client once an operation found it ready: later operations take it without waiting. */
  client?: RedisClient;
  private starting?: Promise<RedisClient>;
  private readonly owned: boolean;
  /** A user's client may queue commands or lack a deadline: the store then enforces its own. */
  private readonly guard: boolean;
  private closed = false;
  private disconnected = false;

  constructor(
    private readonly options: RedisStoreOptions,
    private readonly name: string,
    private readonly timeout: number,
    private readonly logger: CacheLogger,
  ) {
    this.owned = options.client === undefined;
    this.guard = !this.owned && !hasFailFastDeadline(options.client as RedisClient, timeout);
  }

  /** Loads ioredis and, unless `lazyConnect`, connects; fails with the cause when Redis is unreachable. */
  async init(): Promise<void> {
    const client = await this.started();
    if (this.options.lazyConnect || client.status === 'ready') return;
    if (client.status === 'wait') connectInBackground(client);
    try {
      await waitReady(client, Math.max(this.timeout, 10_000), true);
    } catch (err) {
      if (this.owned) {
        // Start-up failed: stop retrying in the background; the next call starts over.
        this.starting = undefined;
        client.disconnect();
      }
      const cause = redactUrl(err instanceof Error ? err.message : String(err));
      throw new CacheUnavailableError(this.name, `connect to ${describeTarget(this.options)}`, new Error(cause));
    }
    this.client = client;
  }

  /** The client, started if need be, whatever its state (a subscriber duplicates it as it is). */
  started(): Promise<RedisClient> {
    return (this.starting ??= this.start());
  }

  /** The client once it is ready; before the first connection, waits for it up to `timeout`. */
  async connected(op: string): Promise<RedisClient> {
    if (this.closed) throw new CacheUnavailableError(this.name, op, new Error('the store is closed'));
    const c = await this.started();
    if (c.status !== 'ready') {
      // A connection that already failed is being retried by ioredis: fail at once.
      if (RETRYING.has(c.status)) throw new CacheUnavailableError(this.name, op, new Error(`Redis is ${c.status}`));
      if (c.status === 'wait') connectInBackground(c);
      try {
        await waitReady(c, this.timeout, true);
      } catch (err) {
        throw this.failure(op, err);
      }
    }
    this.client = c;
    return c;
  }

  guarded<T>(promise: Promise<T>): Promise<T> {
    return this.guard ? withDeadline(promise, this.timeout) : promise;
  }

  failure(op: string, err: unknown): Error {
    return toStoreError(this.name, op, err, this.timeout);
  }

  rethrow(op: string, err: unknown): never {
    throw this.failure(op, err);
  }

  async eval(script: RedisScript, key: string, ...args: string[]): Promise<unknown> {
    const c = this.client ?? (await this.connected('eval'));
    try {
      return await this.guarded(c.evalsha(script.sha, 1, key, ...args));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    }
    return this.guarded(c.eval(script.source, 1, key, ...args));
  }

  /** Closes the connection if the store opened it; a `client` given in the options stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.owned || !this.starting) return;
    const client = await this.starting.catch(() => undefined);
    if (!client) return;
    if (client.status === 'ready') {
      await withDeadline(client.quit(), this.timeout).catch(() => undefined);
    }
    client.disconnect();
  }

  private async start(): Promise<RedisClient> {
    if (this.options.client) return this.options.client as RedisClient;
    const lib = await loadIoredis(this.name);
    const client = createClient(lib, this.options, this.timeout);
    client.on('error', (err: Error) => this.onConnectionError(err));
    client.on('ready', () => this.onReady());
    if (this.closed) client.disconnect();
    else if (!this.options.lazyConnect) connectInBackground(client);
    return client;
  }

  private onConnectionError(err: Error): void {
    if (this.disconnected || this.closed) return;
    this.disconnected = true;
    this.logger.warn(
      `Cache store "${this.name}": Redis connection error (${redactUrl(err.message)}); reads miss until it reconnects`,
    );
  }

  private onReady(): void {
    if (!this.disconnected) return;
    this.disconnected = false;
    this.logger.log?.(`Cache store "${this.name}": Redis reconnected`);
  }
}

/** Starts connecting; failures surface as 'error' events and through waitReady while ioredis retries. */
function connectInBackground(client: RedisClient): void {
  client.connect().catch(() => undefined);
}
