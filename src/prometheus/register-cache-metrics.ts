import { Counter, Gauge, Histogram, register as globalRegistry, type MetricType, type Registry } from 'prom-client';
import { meterOf, type CacheManager } from '../core/cache-manager';
import { DURATION_BUCKETS, OPERATION_RESULTS } from '../core/operation-meter';

/** Options of {@link registerCacheMetrics}. */
export interface CacheMetricsOptions {
  /**
   * Time one operation in this many for `cachekit_operation_duration_seconds` (counts stay exact).
   * Timing reads the clock twice; sampling keeps a memory hit within 0.8x of its speed.
   * @default 16
   */
  sampleEvery?: number;
}

const DURATION = 'cachekit_operation_duration_seconds';
const DURATION_HELP = 'Duration of cache operations in seconds (one operation in sampleEvery is timed).';
// prom-client's typings declare a numeric enum; at run time the type is this string.
const HISTOGRAM = 'histogram' as unknown as MetricType;
type Labels = Record<string, string>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** The managers each registry reports on (one set of metric objects per registry). */
const sources = new WeakMap<Registry, Set<CacheManager>>();

/**
 * The samples of every manager on `registry`, one per series: managers whose stores share a name
 * (two apps in one process, each with a default `memory` store) are summed into that store's
 * series, since an exposition may not repeat a label set (Prometheus drops such a scrape's samples).
 */
function samples(registry: Registry, fn: (manager: CacheManager, out: Sample[]) => void): Sample[] {
  const managers = sources.get(registry) ?? new Set();
  const out: Sample[] = [];
  for (const manager of managers) fn(manager, out);
  if (managers.size < 2) return out;
  const series = new Map<string, Sample>();
  for (const sample of out) {
    const id = `${sample.metricName ?? ''}${JSON.stringify(sample.labels)}`;
    const known = series.get(id);
    if (known) known.value += sample.value;
    else series.set(id, { ...sample });
  }
  return [...series.values()];
}

// Each metric reads the managers' own counters when scraped: nothing is copied per operation.
class OperationsTotal extends Counter<string> {
  constructor(private readonly registry: Registry) {
    super({
      name: 'cachekit_operations_total',
      help: 'Cache operations by store, operation and result (hit, miss, stale, ok, error).',
      labelNames: ['store', 'operation', 'result'],
      registers: [registry],
    });
  }
  override async get(): ReturnType<Counter<string>['get']> {
    const values = samples(this.registry, (manager, out) => {
      for (const store of meterOf(manager).stores()) {
        for (const [operation, tally] of store.operations) {
          for (const result of OPERATION_RESULTS) {
            if (tally[result] > 0)
              out.push({ value: tally[result], labels: { store: store.store, operation, result } });
          }
        }
      }
    });
    return { ...(await super.get()), values };
  }
}

class DurationSeconds extends Histogram<string> {
  constructor(private readonly registry: Registry) {
    super({
      name: DURATION,
      help: DURATION_HELP,
      labelNames: ['store', 'operation'],
      buckets: [...DURATION_BUCKETS],
      registers: [registry],
    });
  }
  /** prom-client's text exposition reads histograms through this method rather than `get()`. */
  async getForPromString(): ReturnType<Histogram<string>['get']> {
    return this.get();
  }

  override async get(): ReturnType<Histogram<string>['get']> {
    const values = samples(this.registry, (manager, out) => {
      for (const store of meterOf(manager).stores()) {
        for (const [operation, tally] of store.operations) {
          const h = tally.duration;
          if (h.count === 0) continue;
          const labels = { store: store.store, operation };
          let cumulative = 0;
          DURATION_BUCKETS.forEach((le, i) => {
            cumulative += h.buckets[i];
            out.push({ metricName: `${DURATION}_bucket`, value: cumulative, labels: { ...labels, le: String(le) } });
          });
          out.push({ metricName: `${DURATION}_bucket`, value: h.count, labels: { ...labels, le: '+Inf' } });
          out.push({ metricName: `${DURATION}_sum`, value: h.sum, labels });
          out.push({ metricName: `${DURATION}_count`, value: h.count, labels });
        }
      }
    });
    // Not super.get(): prom-client's histogram get() goes through getForPromString() (above).
    return {
      name: DURATION,
      help: DURATION_HELP,
      type: HISTOGRAM,
      aggregator: 'sum',
      collect: () => undefined,
      values,
    };
  }
}

type StatField = 'evictions' | 'entries' | 'bytes';

function storeFigures(registry: Registry, field: StatField): Sample[] {
  return samples(registry, (manager, out) => {
    for (const [store, stats] of Object.entries(manager.stats())) {
      const value = stats[field];
      if (value !== undefined) out.push({ value, labels: { store } });
    }
  });
}

class EvictionsTotal extends Counter<string> {
  constructor(private readonly registry: Registry) {
    super({
      name: 'cachekit_evictions_total',
      help: 'Entries dropped by a store to make room.',
      labelNames: ['store'],
      registers: [registry],
    });
  }
  override async get(): ReturnType<Counter<string>['get']> {
    return { ...(await super.get()), values: storeFigures(this.registry, 'evictions') };
  }
}

class StoreGauge extends Gauge<string> {
  constructor(
    private readonly registry: Registry,
    private readonly field: 'entries' | 'bytes',
    help: string,
  ) {
    super({ name: `cachekit_${field}`, help, labelNames: ['store'], registers: [registry] });
  }
  override async get(): ReturnType<Gauge<string>['get']> {
    return { ...(await super.get()), values: storeFigures(this.registry, this.field) };
  }
}

const NAMES = [
  'cachekit_operations_total',
  'cachekit_operation_duration_seconds',
  'cachekit_evictions_total',
  'cachekit_entries',
  'cachekit_bytes',
];

/**
 * Exposes a manager's cache metrics on a prom-client registry (default: prom-client's global
 * `register`): `cachekit_operations_total{store,operation,result}`,
 * `cachekit_operation_duration_seconds{store,operation}`, `cachekit_evictions_total{store}`,
 * `cachekit_entries{store}` and `cachekit_bytes{store}` (where the store knows them).
 *
 * Values are read from the cache's own counters at scrape time. Several managers may share a
 * registry. Returns the function that removes this manager's metrics again.
 *
 * @example
 * const registry = new Registry();
 * registerCacheMetrics(app.get(CacheManager), registry);
 * // GET /metrics: res.type(registry.contentType).send(await registry.metrics())
 */
export function registerCacheMetrics(
  manager: CacheManager,
  registry: Registry = globalRegistry,
  options: CacheMetricsOptions = {},
): () => void {
  const meter = meterOf(manager);
  let managers = sources.get(registry);
  if (!managers) {
    sources.set(registry, (managers = new Set()));
    new OperationsTotal(registry);
    new DurationSeconds(registry);
    new EvictionsTotal(registry);
    new StoreGauge(registry, 'entries', 'Entries a store holds (memory and file stores).');
    new StoreGauge(registry, 'bytes', 'Estimated bytes a store holds (memory store with maxBytes, file store).');
  }
  if (managers.has(manager)) return () => undefined;
  managers.add(manager);
  const unsubscribe = meter.subscribe({ sampleEvery: options.sampleEvery });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unsubscribe();
    managers.delete(manager);
    if (managers.size === 0) {
      sources.delete(registry);
      for (const name of NAMES) registry.removeSingleMetric(name);
    }
  };
}
