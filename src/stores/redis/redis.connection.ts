import { CacheConfigError, CacheUnavailableError } from '../../core/cache.errors';
import type { CacheLogger } from '../../core/logger';
import {
  connectInBackground,
  createClient,
  hasFailFastDeadline,
  holdTimerList,
  loadIoredis,
  RETRYING,
  waitReady,
  type RedisClient,
} from './redis-client';
import { describeFailure, describeTarget, isAuthFailure, toStoreError, withDeadline } from './redis-errors';
import type { ResolvedRedisStoreOptions } from './redis-store.options';
import type { RedisScript } from './redis.scripts';

/**
 * The connection of one Redis store over its life: started at start-up (or at the first use
 * with `lazyConnect`), never blocking start-up unless `requireOnStartup`, failing at once while
 * ioredis retries after a failure, logging each outage once and its end once, and closed on
 * shutdown unless the application owns it.
 */
export class RedisConnection {
  /** The client once an operation found it ready: later operations take it without waiting. */
  client?: RedisClient;
  /** Where the store connects, for messages (credentials masked). */
  readonly target: string;
  private starting?: Promise<RedisClient>;
  private readonly owned: boolean;
  /** A user's client may queue commands or lack a deadline: the store then enforces its own. */
  private readonly guard: boolean;
  private closed = false;
  /** An outage was logged and its end is not yet. */
  private down = false;
  private everConnected = false;
  /** A strict start-up is waiting: it reports the failure itself. */
  private strictStart = false;
  /** Releases the timer list of the commands' deadline (see holdTimerList), once started. */
  private releaseTimerList?: () => void;
  /**
   * The wait of the operations that found the client not ready yet: one for all of them (one set
   * of listeners on the client, however many operations arrive before the first connection). It
   * ends `timeout` after the first of them asked, so none waits longer than `timeout`.
   */
  private readying?: Promise<void>;

  constructor(
    private readonly options: ResolvedRedisStoreOptions,
    private readonly name: string,
    private readonly logger: CacheLogger,
  ) {
    this.owned = options.client === undefined;
    this.guard = !this.owned && !hasFailFastDeadline(options.client as RedisClient, options.timeout);
    this.target = describeTarget(options);
  }

  /**
   * Start-up: loads ioredis and, unless `lazyConnect`, starts connecting. By default it waits at
   * most `timeout` for a first answer and never fails for an unreachable Redis (that is logged,
   * and the connection keeps trying). With `requireOnStartup` it waits up to `connectTimeout`.
   */
  async init(): Promise<void> {
    const client = await this.started();
    if (this.options.lazyConnect || client.status === 'ready') return;
    if (client.status === 'wait') connectInBackground(client);
    if (!this.options.requireOnStartup) {
      await waitReady(client, this.options.timeout, true).catch(() => undefined);
      return;
    }
    this.strictStart = true;
    try {
      await waitReady(client, this.options.connectTimeout, isAuthFailure);
    } catch (err) {
      if (this.owned) {
        // Start-up failed: stop retrying in the background; the next call starts over.
        this.starting = undefined;
        client.disconnect();
      }
      throw this.startFailure(err);
    } finally {
      this.strictStart = false;
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
      if (RETRYING.has(c.status)) throw this.failure(op, new Error("Stream isn't writeable"));
      if (c.status === 'wait') connectInBackground(c);
      try {
        await (this.readying ??= waitReady(c, this.options.timeout, true).finally(() => (this.readying = undefined)));
      } catch (err) {
        throw this.failure(op, err);
      }
    }
    this.client = c;
    return c;
  }

  guarded<T>(promise: Promise<T>): Promise<T> {
    return this.guard ? withDeadline(promise, this.options.timeout) : promise;
  }

  failure(op: string, err: unknown): Error {
    return toStoreError(this.name, op, err, this.options.timeout, this.target);
  }

  rethrow(op: string, err: unknown): never {
    throw this.failure(op, err);
  }

  /** Runs a script; `op` is the operation the user called, named if the store is unreachable. */
  async eval(op: string, script: RedisScript, key: string, ...args: string[]): Promise<unknown> {
    const c = this.client ?? (await this.connected(op));
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
    this.releaseTimerList?.();
    if (!this.owned || !this.starting) return;
    const client = await this.starting.catch(() => undefined);
    if (!client) return;
    if (client.status === 'ready') {
      await withDeadline(client.quit(), this.options.timeout).catch(() => undefined);
    }
    client.disconnect();
  }

  private async start(): Promise<RedisClient> {
    // The deadline of every command is `timeout`, unless a user's client brings its own.
    if ((this.owned || this.guard) && !this.closed) this.releaseTimerList ??= holdTimerList(this.options.timeout);
    if (this.options.client) return this.options.client as RedisClient;
    const lib = await loadIoredis(this.name);
    const client = createClient(lib, this.options, this.options.timeout);
    client.on('error', (err: Error) => this.onConnectionError(err));
    client.on('ready', () => this.onReady());
    if (this.closed) client.disconnect();
    else if (!this.options.lazyConnect) connectInBackground(client);
    return client;
  }

  /** What a strict start-up throws: refused credentials are configuration, the rest an outage. */
  private startFailure(err: unknown): Error {
    const cause = describeFailure(err, this.target);
    if (isAuthFailure(err)) {
      const field = this.options.url ? 'url' : this.options.sentinel ? 'sentinel' : 'options';
      return new CacheConfigError(
        `Cache store "${this.name}": Redis at ${this.target} refused the credentials (${cause})`,
        this.name,
        field,
      );
    }
    const waited = `no connection within ${this.options.connectTimeout} ms (requireOnStartup)`;
    return new CacheUnavailableError(this.name, `connect to ${this.target}`, new Error(`${waited}: ${cause}`));
  }

  private onConnectionError(err: Error): void {
    if (this.down || this.closed || this.strictStart) return;
    this.down = true;
    const cause = describeFailure(err, this.target);
    this.logger.warn(
      this.everConnected
        ? `Cache store "${this.name}" lost Redis at ${this.target} (${cause}); reads miss until it reconnects`
        : `Cache store "${this.name}" cannot connect to Redis at ${this.target} (${cause}); start-up goes on: the store reports down, reads miss and writes are skipped while it keeps connecting in the background`,
    );
  }

  private onReady(): void {
    const first = !this.everConnected;
    this.everConnected = true;
    if (!this.down) return;
    this.down = false;
    const log = this.logger.log ?? this.logger.warn;
    log.call(
      this.logger,
      `Cache store "${this.name}" ${first ? 'connected' : 'reconnected'} to Redis at ${this.target}`,
    );
  }
}
