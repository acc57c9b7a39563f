/**
 * Per-operation counting for the metrics exporters (nestjs-cachekit/otel, /prometheus, /admin).
 *
 * Why not the event bus: building an event object per operation and calling listeners costs about
 * half of a memory hit's speed. Here an operation costs a Map lookup and an increment; one
 * operation in `sampleEvery` is also timed (two clock reads) and handed to listeners (an OTel
 * histogram, spans). Nothing runs until somebody subscribes.
 */

/** The `cache.operation` names. `decrement` reports as `increment`, `forever` as `set`. */
export type CacheOperationName =
  | 'get'
  | 'getMany'
  | 'has'
  | 'ttl'
  | 'set'
  | 'add'
  | 'setMany'
  | 'delete'
  | 'deleteMany'
  | 'clear'
  | 'increment'
  | 'touch'
  | 'remember'
  | 'flush';

/** `hit`/`miss`/`stale` for reads, `ok` for writes and deletes, `error` when the store failed. */
export type CacheOperationResult = 'hit' | 'miss' | 'stale' | 'ok' | 'error';

/** Every result, in the order exporters list them. */
export const OPERATION_RESULTS: readonly CacheOperationResult[] = ['hit', 'miss', 'stale', 'ok', 'error'];

/** Upper bounds (seconds) of the duration histogram's buckets, shared by every exporter. */
export const DURATION_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
];

/** A cumulative histogram of durations in seconds over {@link DURATION_BUCKETS} (last slot: +Inf). */
export class DurationHistogram {
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  add(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]) i++;
    this.buckets[i]++;
    this.sum += seconds;
    this.count++;
  }
}

/** Counts of one operation of one store, since the meter was first subscribed to. */
export class OperationTally {
  hit = 0;
  miss = 0;
  stale = 0;
  ok = 0;
  error = 0;
  /** Timed operations only (one in `sampleEvery`). */
  readonly duration = new DurationHistogram();
}

const OPERATION_NAMES: readonly CacheOperationName[] = [
  'get',
  'getMany',
  'has',
  'ttl',
  'set',
  'add',
  'setMany',
  'delete',
  'deleteMany',
  'clear',
  'increment',
  'touch',
  'remember',
  'flush',
];

/** Tallies of one store, by operation name. */
export class StoreOperations {
  /** Every operation's tally, created up front: one object of fixed shape, read by property. */
  private readonly byName = {} as Record<CacheOperationName, OperationTally>;

  constructor(readonly store: string) {
    for (const op of OPERATION_NAMES) this.byName[op] = new OperationTally();
  }

  tally(op: CacheOperationName): OperationTally {
    return this.byName[op];
  }

  /** The operations that happened at least once, with their tallies. */
  get operations(): Map<CacheOperationName, OperationTally> {
    const out = new Map<CacheOperationName, OperationTally>();
    for (const op of OPERATION_NAMES) {
      const t = this.byName[op];
      if (t.hit + t.miss + t.stale + t.ok + t.error > 0) out.set(op, t);
    }
    return out;
  }
}

/** One timed operation, for exporters that record each (histograms, spans). */
export interface TimedOperation {
  store: string;
  operation: CacheOperationName;
  result: CacheOperationResult;
  /** `performance.now()` at the start. */
  start: number;
  durationMs: number;
  /** The user's key (tag names joined by `,` for `flush`, `*` for `clear`). */
  key: string;
  /** The store failure behind an `error` result. */
  error?: unknown;
}

export interface MeterSubscription {
  /** Time one operation in this many (the smallest over subscribers wins). @default 16 */
  sampleEvery?: number;
  /** Called synchronously for each timed operation. Must not throw (errors are swallowed). */
  onTimed?(op: TimedOperation): void;
}

/** One per manager; every `Cache` of the manager reports into it. */
export class OperationMeter {
  /** Somebody subscribed: caches check this before anything else. */
  active = false;
  private readonly subscriptions = new Set<MeterSubscription>();
  private readonly listeners: ((op: TimedOperation) => void)[] = [];
  private readonly tallies = new Map<string, StoreOperations>();
  private every = 16;
  private countdown = 1;

  /** The tallies of store `name` (created on first use). */
  forStore(name: string): StoreOperations {
    let s = this.tallies.get(name);
    if (s === undefined) this.tallies.set(name, (s = new StoreOperations(name)));
    return s;
  }

  /** Every store's tallies. */
  stores(): StoreOperations[] {
    return [...this.tallies.values()];
  }

  /**
   * Whether to time the operation that starts now: one in `sampleEvery` on average, with random
   * gaps. A fixed period would alias with request patterns (a request that starts the clock 16
   * times would always time the same one of its operations); the countdown keeps the common
   * case to one decrement.
   */
  timing(): boolean {
    if (--this.countdown > 0) return false;
    this.countdown = this.every === 1 ? 1 : 1 + Math.floor(Math.random() * (2 * this.every - 1));
    return true;
  }

  /** Starts counting (if not yet) and returns the function that stops this subscription. */
  subscribe(subscription: MeterSubscription = {}): () => void {
    const every = subscription.sampleEvery ?? 16;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`sampleEvery must be a positive integer, got ${String(every)}`);
    }
    const own = { ...subscription, sampleEvery: every };
    this.subscriptions.add(own);
    this.refresh();
    return () => {
      if (this.subscriptions.delete(own)) this.refresh();
    };
  }

  record(
    tallies: StoreOperations,
    op: CacheOperationName,
    result: CacheOperationResult,
    start: number,
    key: string,
    error?: unknown,
  ): void {
    const t = tallies.tally(op);
    t[result]++;
    if (start === 0) return;
    const durationMs = performance.now() - start;
    t.duration.add(durationMs / 1000);
    const listeners = this.listeners;
    if (listeners.length === 0) return;
    const timed: TimedOperation = { store: tallies.store, operation: op, result, start, durationMs, key, error };
    for (const l of listeners) {
      try {
        l(timed);
      } catch {
        // An exporter must never break a cache operation.
      }
    }
  }

  private refresh(): void {
    this.active = this.subscriptions.size > 0;
    const rates = [...this.subscriptions].map((s) => s.sampleEvery ?? 16);
    this.every = rates.length ? Math.min(...rates) : 16;
    this.countdown = 1;
    this.listeners.length = 0;
    for (const s of this.subscriptions) if (s.onTimed) this.listeners.push(s.onTimed.bind(s));
  }
}

/** The driver name of a store instance (`memory`, `redis`, …; `custom` when unknown). */
export function storeDriver(store: object): string {
  const name = store.constructor?.name ?? '';
  const m = /^(Memory|File|Redis|Tiered|Postgres|Keyv)Store$/.exec(name);
  return m ? m[1].toLowerCase() : 'custom';
}
