import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { CacheModule, CacheService, createCacheManager, type CacheManager, type StoreConfig } from '../../src';
import { instrumentCache } from '../../src/otel';
import { ManualClock } from '../../src/testing';
import { freePort } from '../support/redis-server';

/** A reader whose collect() the test calls: the SDK's own aggregation, no exporter in between. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function setup() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return { reader, meterProvider, spans, tracerProvider };
}

async function collect(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** `store/operation/result` → count, from the cachekit.operations counter. */
function operations(data: Map<string, MetricData>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of data.get('cachekit.operations')?.dataPoints ?? []) {
    const a = p.attributes;
    out[`${String(a['cache.store'])}/${String(a['cache.operation'])}/${String(a['cache.result'])}`] = p.value as number;
  }
  return out;
}

function perStore(data: Map<string, MetricData>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of data.get(name)?.dataPoints ?? []) out[String(p.attributes['cache.store'])] = p.value as number;
  return out;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const REDIS = 'redis://127.0.0.1:6379';

/** The same script on every store: 4 sets, 2 hits, 1 miss, remember miss then stale, 1 delete. */
async function script(manager: CacheManager, store: string, clock: ManualClock): Promise<void> {
  const cache = manager.store(store);
  await cache.set('a', 1);
  expect(await cache.get('a')).toBe(1);
  expect(await cache.get('a')).toBe(1);
  expect(await cache.get('missing')).toBeUndefined();
  expect(await cache.remember('r', 10, () => 'v1', { staleTtl: 600 })).toBe('v1');
  clock.advance(20);
  expect(await cache.remember('r', 10, () => 'v2', { staleTtl: 600 })).toBe('v1');
  const writes = cache.stats().writes;
  // The stale read refreshes in the background: wait for its write.
  await until(() => cache.stats().writes === writes + 1);
  await cache.set('b', 2);
  await cache.set('c', 3);
  expect(await cache.delete('b')).toBe(true);
}

const EXPECTED = (store: string) => ({
  [`${store}/set/ok`]: 5, // a, r (remember miss), r (refresh), b, c
  [`${store}/get/hit`]: 2,
  [`${store}/get/miss`]: 1,
  [`${store}/remember/miss`]: 1,
  [`${store}/remember/stale`]: 1,
  [`${store}/delete/ok`]: 1,
});

describe('instrumentCache (real OpenTelemetry SDK)', () => {
  const managers: CacheManager[] = [];
  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
  });

  function manager(stores: Record<string, StoreConfig>, clock = new ManualClock()): CacheManager {
    const m = createCacheManager({
      prefix: `otel-${randomUUID()}`,
      stores,
      clock,
      logger: { log() {}, warn() {}, error() {} },
    });
    managers.push(m);
    return m;
  }

  it.each([
    ['memory', { mem: { driver: 'memory', maxEntries: 2 } } as Record<string, StoreConfig>, 'mem', 2],
    ['redis', { redis: { driver: 'redis', url: REDIS } } as Record<string, StoreConfig>, 'redis', 0],
    [
      'two-tier',
      {
        l1: { driver: 'memory', maxEntries: 2 },
        redis: { driver: 'redis', url: REDIS },
        near: { driver: 'tiered', tiers: ['l1', 'redis'] },
      } as Record<string, StoreConfig>,
      'near',
      2,
    ],
  ])('counts a scripted sequence exactly on a %s store', async (_kind, stores, store, evictions) => {
    const { reader, meterProvider, spans, tracerProvider } = setup();
    const clock = new ManualClock();
    const m = manager(stores, clock);
    const undo = instrumentCache(m, { meterProvider, tracerProvider });
    await script(m, store, clock);

    const data = await collect(reader);
    expect(operations(data)).toEqual(EXPECTED(store));
    const duration = data.get('cachekit.operation.duration') as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    const getPoint = duration.dataPoints.find(
      (p) => p.attributes['cache.store'] === store && p.attributes['cache.operation'] === 'get',
    );
    // With spans every operation is timed: the histogram counts every get.
    expect(getPoint?.value.count).toBe(3);
    expect(Object.keys(getPoint!.attributes).sort()).toEqual(['cache.operation', 'cache.store']);
    expect(perStore(data, 'cachekit.evictions')[store]).toBe(evictions);
    if (store !== 'redis') expect(perStore(data, 'cachekit.entries')[store]).toBe(1);

    const finished = spans.getFinishedSpans().filter((s) => s.attributes['cache.store'] === store);
    expect(finished.filter((s) => s.name === 'cache get')).toHaveLength(3);
    expect(finished.filter((s) => s.name === 'cache set')).toHaveLength(5);
    for (const s of finished) {
      expect(s.attributes['cache.key']).toBeUndefined();
      expect(s.attributes['db.system.name']).toBe(_kind === 'memory' ? undefined : 'redis');
      expect(s.status.code).not.toBe(SpanStatusCode.ERROR);
    }
    undo();
    const before = operations(await collect(reader));
    await m.store(store).get('a');
    // Undone: nothing counts any more (the SDK may keep repeating the last cumulative values).
    expect(operations(await collect(reader))).toEqual(before);
    expect(spans.getFinishedSpans().filter((s) => s.attributes['cache.store'] === store)).toHaveLength(finished.length);
    await meterProvider.shutdown();
  });

  it('reports a Redis store on a closed port as errors, with failed spans', async () => {
    const { reader, meterProvider, spans, tracerProvider } = setup();
    const port = await freePort();
    const m = manager({ down: { driver: 'redis', url: `redis://127.0.0.1:${port}`, timeout: 200 } });
    instrumentCache(m, { meterProvider, tracerProvider });
    const cache = m.store('down');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.set('k', 1)).toBe(false);
    await expect(cache.increment('n')).rejects.toThrow(/down/);
    expect(await cache.remember('r', 10, () => 'loaded')).toBe('loaded');
    const ops = operations(await collect(reader));
    expect(ops).toEqual({
      'down/get/error': 1,
      'down/set/error': 1,
      'down/increment/error': 1,
      'down/remember/error': 1,
    });
    const failed = spans.getFinishedSpans();
    expect(failed.map((s) => s.name).sort()).toEqual(['cache get', 'cache increment', 'cache remember', 'cache set']);
    for (const s of failed) {
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.attributes['db.system.name']).toBe('redis');
      expect(s.attributes['cache.result']).toBe('error');
    }
    expect(failed.find((s) => s.name === 'cache get')!.events.map((e) => e.name)).toContain('exception');
    await m.close();
    await meterProvider.shutdown();
  });

  it('records keys only when asked; without spans samples durations but counts exactly', async () => {
    const { reader, meterProvider, spans, tracerProvider } = setup();
    const m = manager({ mem: { driver: 'memory' } });
    const undo = instrumentCache(m, { meterProvider, tracerProvider, recordKeys: true });
    await m.store('mem').get('user:1');
    expect(spans.getFinishedSpans()[0].attributes['cache.key']).toBe('user:1');
    undo();

    const quiet = setup();
    const m2 = manager({ mem: { driver: 'memory' } });
    instrumentCache(m2, { meterProvider: quiet.meterProvider, traces: false });
    await m2.store('mem').set('k', 1);
    for (let i = 0; i < 1600; i++) await m2.store('mem').get('k');
    const data = await collect(quiet.reader);
    expect(operations(data)['mem/get/hit']).toBe(1600);
    const h = (data.get('cachekit.operation.duration') as HistogramMetricData).dataPoints.find(
      (p) => p.attributes['cache.operation'] === 'get',
    );
    // One in 16 at random: 100 expected; the bounds are 5 standard deviations wide.
    expect(h!.value.count).toBeGreaterThanOrEqual(50);
    expect(h!.value.count).toBeLessThanOrEqual(150);
    expect(quiet.spans.getFinishedSpans()).toHaveLength(0);
    await meterProvider.shutdown();
    await quiet.meterProvider.shutdown();
    void reader;
  });

  it('without spans hands the histogram at most 1,024 timed durations per collection, counts exact', async () => {
    const { reader, meterProvider } = setup();
    const m = manager({ mem: { driver: 'memory' } });
    instrumentCache(m, { meterProvider, traces: false, sampleEvery: 1 });
    await m.store('mem').set('k', 1);
    for (let i = 0; i < 3000; i++) await m.store('mem').get('k');
    const point = async () =>
      (((await collect(reader)).get('cachekit.operation.duration') as HistogramMetricData).dataPoints.find(
        (p) => p.attributes['cache.operation'] === 'get',
      ) ?? { value: { count: 0, sum: 0 } }) as { value: { count: number; sum?: number } };
    const first = await point();
    expect(operations(await collect(reader))['mem/get/hit']).toBe(3000);
    // A uniform sample of the 3,000 timed gets, recorded when the reader collected.
    expect(first.value.count).toBe(1024);
    expect(first.value.sum).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) await m.store('mem').get('k');
    expect((await point()).value.count).toBe(1034);
    await meterProvider.shutdown();
  });

  it('CacheModule.forRoot({ telemetry: true }) reports through the global providers until shutdown', async () => {
    const { reader, meterProvider, spans, tracerProvider } = setup();
    metrics.setGlobalMeterProvider(meterProvider);
    trace.setGlobalTracerProvider(tracerProvider);
    try {
      @Controller()
      class C {
        constructor(@Inject(CacheService) private readonly cache: CacheService) {}
        @Get('x')
        async x() {
          return { v: await this.cache.remember('x', 60, () => 1) };
        }
      }
      @Module({ imports: [CacheModule.forRoot({ telemetry: true })], controllers: [C] })
      class AppModule {}
      const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const app = ref.createNestApplication({ logger: false });
      await app.init();
      await request(app.getHttpServer()).get('/x').expect(200);
      await request(app.getHttpServer()).get('/x').expect(200);
      expect(operations(await collect(reader))).toEqual({
        'memory/remember/miss': 1,
        'memory/remember/hit': 1,
        'memory/set/ok': 1,
      });
      expect(spans.getFinishedSpans().map((s) => s.name)).toContain('cache remember');
      const before = spans.getFinishedSpans().length;
      await app.close();
      // Shut down: the manager's callback is gone, so nothing reads (or keeps alive) the old app.
      const after = await collect(reader);
      expect(operations(after)['memory/remember/hit'] ?? 1).toBe(1);
      expect(spans.getFinishedSpans()).toHaveLength(before);
    } finally {
      metrics.disable();
      trace.disable();
      await meterProvider.shutdown();
    }
  });

  it('sums managers whose stores share a name on one meter provider (two apps in one process)', async () => {
    const { reader, meterProvider } = setup();
    const a = manager({ memory: { driver: 'memory' }, redis: { driver: 'redis', url: REDIS } });
    const b = manager({ memory: { driver: 'memory' } });
    const undoA = instrumentCache(a, { meterProvider, traces: false, sampleEvery: 1 });
    const undoB = instrumentCache(b, { meterProvider, traces: false, sampleEvery: 1 });
    await a.get('x');
    await b.get('x');
    await b.get('y');
    await a.set('k', 1);
    await b.set('k', 1);
    await a.store('redis').set('r', 1);
    let data = await collect(reader);
    expect(operations(data)).toEqual({
      'memory/get/miss': 3,
      'memory/set/ok': 2,
      'redis/set/ok': 1,
    });
    expect(perStore(data, 'cachekit.entries').memory).toBe(2);
    expect(perStore(data, 'cachekit.evictions')).toEqual({ memory: 0, redis: 0 });
    const duration = data.get('cachekit.operation.duration') as HistogramMetricData;
    const gets = duration.dataPoints.find(
      (p) => p.attributes['cache.store'] === 'memory' && p.attributes['cache.operation'] === 'get',
    );
    expect(gets?.value.count).toBe(3);
    undoA();
    await b.get('z');
    data = await collect(reader);
    expect(operations(data)['memory/get/miss']).toBe(3); // b's own three misses now
    undoB();
    await meterProvider.shutdown();
  });

  it('refuses a telemetry option that is not a boolean or an object', async () => {
    @Module({ imports: [CacheModule.forRoot({ telemetry: 'yes' as never })] })
    class AppModule {}
    await expect(Test.createTestingModule({ imports: [AppModule] }).compile()).rejects.toThrow(
      /"telemetry" must be true, false or an object/,
    );
  });
});
