import {
  context,
  isSpanContextValid,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Observable,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { meterOf, type CacheManager } from '../core/cache-manager';
import { DURATION_BUCKETS, OPERATION_RESULTS, storeDriver, type TimedOperation } from '../core/operation-meter';
import { joinMeter, type Observe } from './meter-share';

/** Options of {@link instrumentCache}. */
export interface InstrumentCacheOptions {
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /**
   * Where spans go. @default the global provider, when one is registered (spans are then on,
   * see `traces`)
   */
  tracerProvider?: TracerProvider;
  /**
   * Put the user's key on spans as `cache.key`. Keys can carry personal data: off unless asked.
   * @default false
   */
  recordKeys?: boolean;
  /**
   * One span per cache operation. @default true when `tracerProvider` is given or a global tracer
   * provider is registered; false otherwise (no span is built for a no-op tracer)
   */
  traces?: boolean;
  /**
   * Without spans, time one operation in this many for `cachekit.operation.duration` (the
   * `cachekit.operations` counts stay exact), and hand the histogram at most 1,024 of them per
   * store and operation per collection (a uniform random sample of those timed since the last
   * one). With spans every operation is timed and recorded at once.
   * @default 16
   */
  sampleEvery?: number;
}

const SCOPE = 'nestjs-cachekit';

/** Timed durations kept per store and operation between two collections (without spans). */
const RESERVOIR_SIZE = 1024;

/**
 * Durations of one store and operation timed since the last collection: all of them up to
 * {@link RESERVOIR_SIZE}, then a uniform random sample of that many (reservoir sampling). The
 * SDK's `Histogram.record` costs several times a memory hit; recording here is one store in a
 * typed array, and the sample is handed to the histogram when a reader collects.
 */
class Reservoir {
  private seen = 0;
  private readonly values = new Float64Array(RESERVOIR_SIZE);
  constructor(readonly attributes: Attributes) {}

  add(seconds: number): void {
    const n = this.seen++;
    if (n < RESERVOIR_SIZE) this.values[n] = seconds;
    else {
      const j = Math.floor(Math.random() * (n + 1));
      if (j < RESERVOIR_SIZE) this.values[j] = seconds;
    }
  }

  drainInto(histogram: Histogram): void {
    const n = Math.min(this.seen, RESERVOIR_SIZE);
    for (let i = 0; i < n; i++) histogram.record(this.values[i], this.attributes);
    this.seen = 0;
  }
}

/** `db.system.name` of the stores that talk to a server. */
function dbSystem(store: object): string | undefined {
  const driver = storeDriver(store);
  if (driver === 'redis') return 'redis';
  if (driver === 'postgres') return 'postgresql';
  // A two-tier store is as remote as its L2.
  const l2 = (store as { l2?: unknown }).l2;
  if (driver === 'tiered' && typeof l2 === 'object' && l2 !== null) return dbSystem(l2);
  return undefined;
}

/** Whether the global tracer provider records anything (a registered SDK) rather than a no-op. */
function globalTracing(tracer: Tracer): boolean {
  const probe = tracer.startSpan('cachekit probe');
  const valid = isSpanContextValid(probe.spanContext());
  // A probe that an SDK would export is dropped: it is never ended.
  return valid;
}

/** The store figures of `stats()`, each exported as an observable `cachekit.<field>`. */
const STORE_FIGURES = [
  { field: 'evictions', counter: true, unit: '{entry}', description: 'Entries dropped by a store to make room' },
  { field: 'entries', counter: false, unit: '{entry}', description: 'Entries a store holds' },
  { field: 'bytes', counter: false, unit: 'By', description: 'Estimated bytes a store holds' },
] as const;

/** The instruments every manager instrumented on one meter shares (meter-share.ts). */
function createInstruments(meter: Meter) {
  const operations = meter.createObservableCounter('cachekit.operations', {
    description: 'Cache operations by store, operation and result (hit, miss, stale, ok, error)',
    unit: '{operation}',
  });
  const figures = STORE_FIGURES.map(({ field, counter, ...described }) => {
    const name = `cachekit.${field}`;
    const instrument = counter
      ? meter.createObservableCounter(name, described)
      : meter.createObservableGauge(name, described);
    return { field, instrument };
  });
  const duration = meter.createHistogram('cachekit.operation.duration', {
    description: 'Duration of cache operations',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  const observables: Observable[] = [operations, ...figures.map((f) => f.instrument)];
  return { instruments: { operations, figures, duration }, observables };
}

/**
 * Reports a manager's cache operations to OpenTelemetry:
 *
 * - counter `cachekit.operations` (`cache.store`, `cache.operation`, `cache.result`), exact;
 * - histogram `cachekit.operation.duration` (unit `s`; `cache.store`, `cache.operation`);
 * - counter `cachekit.evictions` and gauges `cachekit.entries`, `cachekit.bytes` (`cache.store`),
 *   where the store knows them;
 * - a span `cache <operation>` per operation (`cache.store`, `cache.key` only with `recordKeys`,
 *   `db.system.name` for Redis and PostgreSQL stores), failures recorded on it.
 *
 * Counts are read from the cache's own counters when metrics are collected; nothing goes through
 * the event bus. Returns the function that undoes it.
 *
 * @example
 * const undo = instrumentCache(app.get(CacheManager), { meterProvider });
 */
export function instrumentCache(manager: CacheManager, options: InstrumentCacheOptions = {}): () => void {
  const meterApi = meterOf(manager);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const traces = options.traces ?? (options.tracerProvider !== undefined || globalTracing(tracer));
  const recordKeys = options.recordKeys === true;

  const { instruments, leave } = joinMeter(
    meter,
    () => createInstruments(meter),
    (observe) => collect(observe),
  );
  const { operations, figures, duration } = instruments;

  // Attribute objects are built once per combination: collection and recording reuse them.
  const attrs = new Map<string, Attributes>();
  const attributes = (id: string, make: () => Attributes): Attributes => {
    let a = attrs.get(id);
    if (a === undefined) attrs.set(id, (a = make()));
    return a;
  };
  const systems = new Map<string, string | undefined>();
  const systemOf = (store: string): string | undefined => {
    if (!systems.has(store))
      systems.set(store, manager.hasStore(store) ? dbSystem(manager.store(store).driver) : undefined);
    return systems.get(store);
  };

  // Without spans, timed durations wait in a reservoir per store and operation until a reader
  // collects: the SDK runs batch observable callbacks before it collects synchronous
  // instruments, so what `observe` records lands in that same collection.
  const reservoirs = new Map<string, Map<string, Reservoir>>();
  const reservoir = (store: string, operation: string): Reservoir => {
    let byOp = reservoirs.get(store);
    if (byOp === undefined) reservoirs.set(store, (byOp = new Map()));
    let r = byOp.get(operation);
    if (r === undefined) {
      byOp.set(operation, (r = new Reservoir({ 'cache.store': store, 'cache.operation': operation })));
    }
    return r;
  };

  const collect = (observe: Observe): void => {
    for (const byOp of reservoirs.values()) for (const r of byOp.values()) r.drainInto(duration);
    for (const store of meterApi.stores()) {
      for (const [operation, tally] of store.operations) {
        for (const r of OPERATION_RESULTS) {
          if (tally[r] === 0) continue;
          const a = attributes(`o|${store.store}|${operation}|${r}`, () => ({
            'cache.store': store.store,
            'cache.operation': operation,
            'cache.result': r,
          }));
          observe(operations, tally[r], a);
        }
      }
    }
    for (const [store, stats] of Object.entries(manager.stats())) {
      const a = attributes(`s|${store}`, () => ({ 'cache.store': store }));
      for (const { field, instrument } of figures) {
        const n = stats[field];
        if (n !== undefined) observe(instrument, n, a);
      }
    }
  };

  const onTimed = (op: TimedOperation): void => {
    if (!traces) {
      reservoir(op.store, op.operation).add(op.durationMs / 1000);
      return;
    }
    const a = attributes(`d|${op.store}|${op.operation}`, () => ({
      'cache.store': op.store,
      'cache.operation': op.operation,
    }));
    duration.record(op.durationMs / 1000, a);
    const spanAttributes: Attributes = {
      'cache.store': op.store,
      'cache.operation': op.operation,
      'cache.result': op.result,
    };
    const system = systemOf(op.store);
    if (system) spanAttributes['db.system.name'] = system;
    if (recordKeys) spanAttributes['cache.key'] = op.key;
    const startTime = performance.timeOrigin + op.start;
    const span = tracer.startSpan(
      `cache ${op.operation}`,
      { kind: SpanKind.CLIENT, startTime, attributes: spanAttributes },
      context.active(),
    );
    if (op.result === 'error') {
      const err = op.error;
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
    span.end(startTime + op.durationMs);
  };
  const unsubscribe = meterApi.subscribe({ sampleEvery: traces ? 1 : options.sampleEvery, onTimed });

  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    unsubscribe();
    leave();
  };
}
