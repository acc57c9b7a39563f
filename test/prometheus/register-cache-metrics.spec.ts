import { Controller, Get, Header, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import request from 'supertest';
import { CacheManager, CacheModule, createCacheManager } from '../../src';
import { registerCacheMetrics } from '../../src/prometheus';

/** Parses the text exposition format into `name{labels} -> value`. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const registry = new Registry();

@Controller()
class MetricsController {
  @Get('metrics')
  @Header('Content-Type', registry.contentType)
  metrics(): Promise<string> {
    return registry.metrics();
  }
}

describe('registerCacheMetrics (prom-client, scraped from a Nest app)', () => {
  let app: INestApplication;
  let manager: CacheManager;
  let unregister: () => void;

  beforeAll(async () => {
    @Module({
      imports: [
        CacheModule.forRoot({
          stores: { memory: { driver: 'memory', maxEntries: 2 }, other: { driver: 'memory' } },
        }),
      ],
      controllers: [MetricsController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    manager = app.get(CacheManager);
    unregister = registerCacheMetrics(manager, registry, { sampleEvery: 1 });
  });

  afterAll(async () => {
    unregister();
    await app.close();
  });

  it('exposes operations, durations, evictions and entries by store', async () => {
    const cache = manager.store('memory');
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('nope');
    await cache.set('b', 2);
    await cache.set('c', 3); // evicts "a" (maxEntries 2)
    await cache.delete('b');
    await manager.store('other').get('x');

    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('# TYPE cachekit_operations_total counter');
    expect(res.text).toContain('# TYPE cachekit_operation_duration_seconds histogram');
    expect(res.text).toContain('# TYPE cachekit_evictions_total counter');
    expect(res.text).toContain('# TYPE cachekit_entries gauge');
    expect(res.text).toContain('# TYPE cachekit_bytes gauge');
    const m = parse(res.text);
    expect(m.get('cachekit_operations_total{store="memory",operation="get",result="hit"}')).toBe(2);
    expect(m.get('cachekit_operations_total{store="memory",operation="get",result="miss"}')).toBe(1);
    expect(m.get('cachekit_operations_total{store="memory",operation="set",result="ok"}')).toBe(3);
    expect(m.get('cachekit_operations_total{store="memory",operation="delete",result="ok"}')).toBe(1);
    expect(m.get('cachekit_operations_total{store="other",operation="get",result="miss"}')).toBe(1);
    expect(m.get('cachekit_operation_duration_seconds_count{store="memory",operation="get"}')).toBe(3);
    expect(m.get('cachekit_operation_duration_seconds_bucket{store="memory",operation="get",le="+Inf"}')).toBe(3);
    expect(m.get('cachekit_operation_duration_seconds_sum{store="memory",operation="get"}')).toBeGreaterThan(0);
    expect(m.get('cachekit_evictions_total{store="memory"}')).toBe(1);
    expect(m.get('cachekit_entries{store="memory"}')).toBe(1);
    // Buckets are cumulative and end at the count.
    const buckets = [...m].filter(([k]) =>
      k.startsWith('cachekit_operation_duration_seconds_bucket{store="memory",operation="set"'),
    );
    const values = buckets.map(([, v]) => v);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(3);
  });

  it('samples durations by default while counts stay exact, and unregisters cleanly', async () => {
    const reg = new Registry();
    const m2 = createCacheManager({ stores: { memory: { driver: 'memory' } } });
    const off = registerCacheMetrics(m2, reg);
    await m2.default.set('k', 1);
    for (let i = 0; i < 1600; i++) await m2.default.get('k');
    const m = parse(await reg.metrics());
    expect(m.get('cachekit_operations_total{store="memory",operation="get",result="hit"}')).toBe(1600);
    const timed = m.get('cachekit_operation_duration_seconds_count{store="memory",operation="get"}') ?? 0;
    // One in 16 at random: 100 expected; the bounds are 5 standard deviations wide.
    expect(timed).toBeGreaterThanOrEqual(50);
    expect(timed).toBeLessThanOrEqual(150);
    off();
    expect(await reg.getMetricsAsJSON()).toEqual([]);
    // Registering again works (the names were freed).
    const off2 = registerCacheMetrics(m2, reg);
    expect((await reg.metrics()).includes('cachekit_operations_total')).toBe(true);
    off2();
    await m2.close();
  });

  it('reports several managers on one registry, and refuses what is not a manager', async () => {
    const reg = new Registry();
    const a = createCacheManager({ stores: { a: { driver: 'memory' } } });
    const b = createCacheManager({ stores: { b: { driver: 'memory' } } });
    const offs = [registerCacheMetrics(a, reg), registerCacheMetrics(b, reg)];
    await a.default.get('x');
    await b.default.get('x');
    const m = parse(await reg.metrics());
    expect(m.get('cachekit_operations_total{store="a",operation="get",result="miss"}')).toBe(1);
    expect(m.get('cachekit_operations_total{store="b",operation="get",result="miss"}')).toBe(1);
    offs.forEach((off) => off());
    expect(() => registerCacheMetrics({} as CacheManager, reg)).toThrow(/Expected a CacheManager/);
    await a.close();
    await b.close();
  });
});

describe('registerCacheMetrics: managers whose stores share a name, on one registry', () => {
  it('sums them into one series per label set (an exposition may not repeat one)', async () => {
    const reg = new Registry();
    // Two apps in one process, each with its default memory store: both name it "memory".
    const a = createCacheManager({ prefix: 'app-a', stores: { memory: { driver: 'memory' } } });
    const b = createCacheManager({ prefix: 'app-b', stores: { memory: { driver: 'memory' } } });
    const offs = [registerCacheMetrics(a, reg, { sampleEvery: 1 }), registerCacheMetrics(b, reg, { sampleEvery: 1 })];
    await a.get('x');
    await b.get('x');
    await b.get('y');
    await a.set('k', 1);
    await b.set('k', 1);
    const lines = (await reg.metrics()).split('\n').filter((l) => l && !l.startsWith('#'));
    const series = lines.map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(new Set(series).size).toBe(series.length);
    const m = parse(await reg.metrics());
    expect(m.get('cachekit_operations_total{store="memory",operation="get",result="miss"}')).toBe(3);
    expect(m.get('cachekit_operations_total{store="memory",operation="set",result="ok"}')).toBe(2);
    expect(m.get('cachekit_operation_duration_seconds_count{store="memory",operation="get"}')).toBe(3);
    expect(m.get('cachekit_operation_duration_seconds_bucket{store="memory",operation="get",le="+Inf"}')).toBe(3);
    expect(m.get('cachekit_entries{store="memory"}')).toBe(2);
    expect(m.get('cachekit_evictions_total{store="memory"}')).toBe(0);
    offs[0]();
    const after = parse(await reg.metrics());
    expect(after.get('cachekit_operations_total{store="memory",operation="get",result="miss"}')).toBe(2);
    offs[1]();
    await a.close();
    await b.close();
  });
});

describe('the Grafana dashboard in the docs', () => {
  it('is an importable dashboard: a datasource input, panels querying the exported metrics', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8'));
    const doc = readFileSync('docs/health-and-observability.md', 'utf8');
    const block = /```json\n(\{\n {2}"__inputs"[\s\S]*?)\n```/.exec(doc);
    expect(JSON.parse(block![1])).toEqual(file);
    expect(file.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(typeof file.schemaVersion).toBe('number');
    expect(file.title).toBe('nestjs-cachekit');
    const titles = file.panels.map((p: { title: string }) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Hit ratio', 'Operations/s', 'p99 latency', 'Errors/s']));
    const names = [
      'cachekit_operations_total',
      'cachekit_operation_duration_seconds_bucket',
      'cachekit_evictions_total',
    ];
    for (const panel of file.panels) {
      expect(panel.datasource.uid).toBe('${DS_PROMETHEUS}');
      expect(panel.gridPos).toEqual(expect.objectContaining({ w: expect.any(Number), h: expect.any(Number) }));
      for (const t of panel.targets) {
        expect(names.some((n) => t.expr.includes(n))).toBe(true);
        // Every PromQL of the page's table is the panel's.
        expect(doc).toContain(t.expr.replace(/\|/g, '\\|'));
      }
    }
  });
});
