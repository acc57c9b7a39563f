import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { from, interval, Subject, type Observable } from 'rxjs';
import { concatMap, map, share, startWith, takeUntil } from 'rxjs/operators';
import type { Cache } from '../core/cache';
import { CacheUnavailableError } from '../core/cache.errors';
import { CacheManager, meterOf } from '../core/cache-manager';
import type { CacheStats, StoreHealth } from '../core/cache.types';
import { storeDriver, type OperationMeter } from '../core/operation-meter';
import { defaultSerializer } from '../core/serializer';
import type { ResolvedAdminOptions } from './cache-admin.options';
import { mergedBuckets, quantileMs, totalOperations } from './latency-window';

export const CACHE_ADMIN_OPTIONS = Symbol('CACHE_ADMIN_OPTIONS');

/** One store as the admin API lists it. */
export interface AdminStore {
  name: string;
  driver: string;
  default: boolean;
  health: StoreHealth;
  stats: CacheStats;
  /** Operations per second over the last second (stream), or since the previous call. */
  opsPerSec: number;
  /** Median and 99th percentile latency (ms) over the last 10 s of timed operations; null without samples. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface KeyLookup {
  exists: boolean;
  /** Seconds left; `null` when the entry never expires (or the store cannot tell). */
  ttl?: number | null;
  /** Size of the value as the default serializer writes it. */
  bytes?: number;
  tags?: string[];
  /** Only with `exposeValues`. */
  value?: unknown;
}

export type AdminAction = 'evict' | 'flush' | 'clear';

const WINDOW = 10;

/** The Node response of a stream (Express's response; Fastify's reply has it as `raw`). */
export interface StreamResponse {
  raw?: StreamResponse;
  readonly writableFinished: boolean;
  readonly socket: { destroy(): void } | null;
  once(event: 'close' | 'finish', listener: () => void): unknown;
}

/** Reads and acts on the caches for the admin routes; feeds the live stream. */
@Injectable()
export class CacheAdminService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('CacheAdmin');
  private readonly meter: OperationMeter;
  private unsubscribe?: () => void;
  private readonly closing = new Subject<void>();
  /** Responses of the streams open now. */
  private readonly streams = new Set<StreamResponse>();
  /** Cumulative figures per tick, for rates and windowed percentiles. */
  private readonly history = new Map<string, { at: number; ops: number; buckets: Float64Array }[]>();
  readonly stream: Observable<{ data: { at: number; stores: AdminStore[] } }>;

  constructor(
    @Inject(CacheManager) private readonly manager: CacheManager,
    @Inject(CACHE_ADMIN_OPTIONS) readonly options: ResolvedAdminOptions,
  ) {
    this.meter = meterOf(manager);
    // One shared ticker however many dashboards are open; it stops with the last one.
    this.stream = interval(1000).pipe(
      startWith(-1),
      concatMap(() => from(this.stores(true))),
      map((stores) => ({ data: { at: Date.now(), stores } })),
      takeUntil(this.closing),
      share(),
    );
  }

  onModuleInit(): void {
    // Latency percentiles need timings: counting starts with the module (one operation in 16 timed).
    this.unsubscribe = this.meter.subscribe({ sampleEvery: 16 });
    if (this.options.guards.length === 0) {
      this.logger.warn(
        `The cache admin routes under /${this.options.path} are UNGUARDED (allowUnguarded: true): anyone who can reach them can read and clear the cache`,
      );
    }
  }

  /** Notes an open stream's response, whose connection shutdown closes (below). */
  watch(res: StreamResponse): void {
    this.streams.add(res);
    res.once('close', () => this.streams.delete(res));
  }

  /**
   * Ends open streams so that shutdown does not wait for browsers to disconnect. A browser keeps
   * the connection alive after a response ends, and the server's close would wait for it (the
   * keep-alive timeout): once a stream's end has been sent, its connection is closed too.
   */
  beforeApplicationShutdown(): void {
    for (const res of this.streams) {
      // Node detaches the socket from the response as it finishes: keep it from now.
      const socket = res.socket;
      if (res.writableFinished) socket?.destroy();
      else res.once('finish', () => socket?.destroy());
    }
    this.closing.next();
    this.closing.complete();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Every store with its health, stats, rate and latency. */
  async stores(tick = false): Promise<AdminStore[]> {
    const health = await this.manager.health(500);
    const stats = this.manager.stats();
    const tallies = new Map(this.meter.stores().map((s) => [s.store, s]));
    const now = performance.now();
    return this.manager.stores().map((name) => {
      const t = tallies.get(name);
      const ops = totalOperations(t);
      const buckets = mergedBuckets(t);
      const past = this.history.get(name) ?? [];
      const last = past.at(-1);
      const opsPerSec = last && now > last.at ? Math.round(((ops - last.ops) * 1000) / (now - last.at)) : 0;
      const oldest = past[0];
      if (tick) {
        past.push({ at: now, ops, buckets });
        if (past.length > WINDOW) past.shift();
        this.history.set(name, past);
      }
      return {
        name,
        driver: storeDriver(this.manager.store(name).driver),
        default: name === this.manager.defaultStoreName,
        health: health[name],
        stats: stats[name],
        opsPerSec,
        p50Ms: quantileMs(buckets, oldest?.buckets, 0.5),
        p99Ms: quantileMs(buckets, oldest?.buckets, 0.99),
      };
    });
  }

  async lookup(store: string, key: string): Promise<KeyLookup> {
    const cache = this.cache(store);
    const entry = await this.unavailable(store, () => cache.inspect(key));
    if (!entry) return { exists: false };
    const ttl = entry.ttlMs === undefined || entry.ttlMs === Infinity ? null : Math.max(0, entry.ttlMs) / 1000;
    const out: KeyLookup = { exists: true, ttl, bytes: byteSize(entry.value), tags: entry.tags };
    if (this.options.exposeValues) out.value = entry.value;
    return out;
  }

  async act(action: AdminAction, store: string, target: string | undefined, user: string | undefined): Promise<object> {
    const cache = this.cache(store);
    const what =
      action === 'evict'
        ? ` key ${JSON.stringify(target)}`
        : action === 'flush'
          ? ` tag ${JSON.stringify(target)}`
          : '';
    this.logger.log(`${action} on store "${store}"${what} by ${user ?? 'an anonymous user'}`);
    return this.unavailable(store, async () => {
      if (action === 'evict') return { deleted: await cache.delete(target!) };
      if (action === 'flush') {
        await cache.tags([target!]).flush();
        return { flushed: true };
      }
      await cache.clear();
      return { cleared: true };
    });
  }

  private cache(store: string): Cache {
    if (!this.manager.hasStore(store)) {
      throw new NotFoundException(
        `Unknown cache store "${store}". Configured stores: ${this.manager.stores().join(', ')}`,
      );
    }
    return this.manager.store(store);
  }

  private async unavailable<T>(store: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CacheUnavailableError)
        throw new ServiceUnavailableException(`Cache store "${store}" is unavailable`);
      throw err;
    }
  }
}

function byteSize(value: unknown): number {
  try {
    return Buffer.byteLength(defaultSerializer.serialize(value));
  } catch {
    return 0;
  }
}
