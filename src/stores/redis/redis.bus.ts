import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { CacheLogger } from '../../core/logger';
import { storeOptionChecks } from '../../core/option-checks';
import { deliverBusMessage, type BusMessage as Message } from '../tiered/bus-message';
import type { BusSeal } from '../tiered/bus-seal';
import type { BusListener, InvalidationBus } from '../tiered/invalidation-bus';
import { createClient, loadIoredis, type RedisClient } from './redis-client';
import { describeFailure, describeTarget, messageOf, withDeadline } from './redis-errors';
import { REDIS_DEFAULTS, type RedisTarget } from './redis-store.options';

/**
 * Where the bus connects: the same shapes as the Redis store (`url`, `options`, `cluster`,
 * `sentinel` or an application-owned `client`, which is duplicated and never closed), and its
 * `timeout` per publish (number: milliseconds; string: a duration such as '2s'; default 1000).
 * @example { url: 'redis://10.0.0.5:6379', timeout: '500ms' }
 */
export type TieredBusOptions = RedisTarget;

/** Keys per message: keeps each PUBLISH small even for a large `deleteMany`. */
const KEYS_PER_MESSAGE = 200;

/**
 * An {@link InvalidationBus} on Redis pub/sub: one dedicated subscriber connection and one
 * publisher connection. A plain PUBLISH reaches every node of a Cluster, so this works there too.
 * Messages from this instance (same id) are ignored on arrival.
 */
export class RedisBus implements InvalidationBus {
  /** This instance's id, carried by every message it sends. */
  readonly id = randomBytes(9).toString('base64url');
  private pub?: RedisClient;
  private sub?: RedisClient;
  private starting?: Promise<void>;
  private listener?: BusListener;
  private live = false;
  private closed = false;
  private seal?: BusSeal;
  private readonly timeout: number;
  /** Where the bus connects, for messages (credentials masked). */
  readonly address: string;

  constructor(
    private readonly source: TieredBusOptions,
    /** The pub/sub channel; derived from the store's namespace so apps sharing a Redis stay apart. */
    readonly channel: string,
    private readonly name: string,
    private readonly logger: CacheLogger,
  ) {
    // Checked here, where the bus is built (at start-up, from the tiered store's options).
    this.timeout = storeOptionChecks(name).msOrDuration('bus.timeout', source.timeout, REDIS_DEFAULTS.timeout);
    this.address = describeTarget(source);
  }

  get connected(): boolean {
    return this.live;
  }

  start(listener: BusListener): Promise<void> {
    this.listener = listener;
    return (this.starting ??= this.open());
  }

  /** @internal Key lists are sealed from now on (the L2 has `encrypt` or `hashKeys`: bus-seal.ts). */
  sealWith(seal: BusSeal): void {
    this.seal = seal;
  }

  async publish(keys: readonly string[] | 'clear'): Promise<void> {
    const pub = this.pub;
    if (!pub || this.closed) return;
    const messages: string[] = [];
    const seal = this.seal;
    if (keys === 'clear') messages.push(JSON.stringify({ i: this.id, c: 1 } satisfies Message));
    else
      for (let i = 0; i < keys.length; i += KEYS_PER_MESSAGE) {
        const part = keys.slice(i, i + KEYS_PER_MESSAGE);
        messages.push(seal ? seal.message(this.id, part) : JSON.stringify({ i: this.id, k: part } satisfies Message));
      }
    try {
      await withDeadline(Promise.all(messages.map((m) => pub.publish(this.channel, m))), this.timeout);
    } catch (err) {
      throw this.failure(err);
    }
  }

  /**
   * A PING on the subscriber connection: Redis answers a connection in order, so every message
   * a PUBLISH (on any connection) queued for it before is delivered before the reply. On a
   * Cluster, a message published on another node may still travel between nodes: `false`.
   */
  async settle(): Promise<boolean> {
    const sub = this.sub;
    if (!sub || !this.live || this.closed) throw new Error('invalidation bus not subscribed');
    if (sub.isCluster) return false;
    try {
      await withDeadline(sub.ping(), this.timeout);
    } catch (err) {
      throw this.failure(err);
    }
    return true;
  }

  /**
   * A failed publish or settle in the bus's terms. ioredis' text speaks of its internals and may
   * carry credentials: it is not kept as cause.
   */
  private failure(err: unknown): Error {
    if (messageOf(err) === 'Command timed out') {
      return new Error(`no answer from Redis at ${this.address} within ${this.timeout} ms`);
    }
    return new Error(describeFailure(err, this.address));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.live = false;
    // A start still waiting for its first subscription would wait forever: end it now.
    this.onFirst?.resolve();
    this.onFirst = undefined;
    for (const c of [this.sub, this.pub]) c?.disconnect();
    await this.starting?.catch(() => undefined);
    for (const c of [this.sub, this.pub]) c?.disconnect();
  }

  private async open(): Promise<void> {
    const lib = await loadIoredis(this.name);
    if (this.closed) return;
    const owned = this.source.client as RedisClient | undefined;
    // The publisher fails fast like the store's own connection; the subscriber resubscribes
    // itself on every 'ready', so it knows exactly when messages flow again.
    const pub = owned ? duplicate(owned, { enableOfflineQueue: false }) : createClient(lib, this.source, this.timeout);
    const sub = duplicate(pub, { autoResubscribe: false, enableOfflineQueue: true, commandTimeout: undefined });
    this.pub = pub;
    this.sub = sub;
    pub.on('error', () => undefined);
    sub.on('error', (err: Error) => this.lost(err));
    sub.on('close', () => this.lost());
    sub.on('ready', () => void this.subscribe().catch((err: unknown) => this.lost(err)));
    sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    pub.connect().catch(() => undefined);
    const first = new Promise<void>((resolve, reject) => {
      this.onFirst = { resolve, reject };
    });
    if (this.closed) return;
    sub.connect().catch((err: unknown) => this.firstFailed(err));
    await first;
  }

  private onFirst?: { resolve(): void; reject(err: unknown): void };

  private async subscribe(): Promise<void> {
    const sub = this.sub;
    if (!sub || this.closed) return;
    await sub.subscribe(this.channel);
    if (this.closed || sub.status !== 'ready') return;
    this.live = true;
    this.listener?.up();
    this.onFirst?.resolve();
    this.onFirst = undefined;
  }

  private lost(err?: unknown): void {
    if (err !== undefined) this.firstFailed(err);
    if (!this.live) return;
    this.live = false;
    if (!this.closed) {
      this.logger.warn(
        `Cache store "${this.name}": invalidation bus disconnected; L1 is bypassed until it resubscribes`,
      );
    }
    this.listener?.down();
  }

  private firstFailed(err: unknown): void {
    if (!this.onFirst) return;
    this.onFirst.reject(new Error(describeFailure(err, this.address)));
    this.onFirst = undefined;
  }

  private receive(text: string): void {
    deliverBusMessage(text, this.id, this.listener, this.seal);
  }
}

/** A new connection to the same server(s) with some options changed; connects on `connect()`. */
function duplicate(client: RedisClient, override: Record<string, unknown>): RedisClient {
  const options = { ...override, lazyConnect: true };
  return client.isCluster
    ? ((client as Cluster).duplicate([], options) as RedisClient)
    : ((client as Redis).duplicate(options) as RedisClient);
}
