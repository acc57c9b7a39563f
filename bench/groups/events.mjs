// events.*: what stats and event subscribers cost on the hottest path, a memory get hit (issue 7).
// Subjects, each its own manager on the same keys and values:
//   cachekit              defaults: stats counters on, no listener, no diagnostics subscriber
//   cachekit+listener     a '*' listener on manager.on (receives every hit)
//   cachekit+diagnostics  a node:diagnostics_channel subscriber on 'nestjs-cachekit:event'
//   cachekit+otel         instrumentCache with a real OTel SDK MeterProvider (metrics, no spans)
//   cachekit+prometheus   registerCacheMetrics on a real prom-client Registry
//   store-direct          MemoryStore.get without the Cache layer (no stats, no events, no key
//                         normalisation): the floor the layer's whole cost is measured against
// The diagnostics channel is process-wide, so its subscriber is attached only while that
// subject's round runs. Rows carry `ratio` = subject median / cachekit median.
import diagnosticsChannel from 'node:diagnostics_channel';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { ck, ckOtel, ckPrometheus } from '../lib/cachekit.mjs';
import { config, emit, median, printRow, timed } from '../lib/harness.mjs';
import { object1kb, STRING_20 } from '../lib/payloads.mjs';

const KEYS = 1024;
const M = KEYS - 1;
const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const channel = diagnosticsChannel.channel(ck.CACHE_DIAGNOSTICS_CHANNEL);

let received = 0;
const listener = () => void received++;
const managers = [];
const manager = () => {
  const m = ck.createCacheManager({ stores: { memory: { driver: 'memory' } } });
  managers.push(m);
  return m;
};
const plain = manager();
const withListener = manager();
withListener.on('*', listener);
const viaChannel = manager();
const direct = new ck.MemoryStore({ pruneInterval: 0 });
// Issue 20: metrics exporters count through the operation meter, not the event bus.
class BenchReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new BenchReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const withOtel = manager();
const undoOtel = ckOtel().instrumentCache(withOtel, { meterProvider, traces: false });
const registry = new Registry();
const withProm = manager();
const undoProm = ckPrometheus().registerCacheMetrics(withProm, registry);

const subjects = [
  { subject: 'cachekit', get: (k) => plain.default.get(k) },
  { subject: 'cachekit+listener', get: (k) => withListener.default.get(k) },
  {
    subject: 'cachekit+diagnostics',
    get: (k) => viaChannel.default.get(k),
    attach: () => channel.subscribe(listener),
    detach: () => channel.unsubscribe(listener),
  },
  { subject: 'cachekit+otel', get: (k) => withOtel.default.get(k) },
  { subject: 'cachekit+prometheus', get: (k) => withProm.default.get(k) },
  { subject: 'store-direct', get: (k) => direct.get(k) },
];

const rows = [];
for (const [scenario, value] of [
  ['events.get-hit.1kb', (i) => object1kb(i)],
  ['events.get-hit.str', () => STRING_20],
]) {
  for (const m of [plain, withListener, viaChannel, withOtel, withProm])
    for (let i = 0; i < KEYS; i++) await m.default.set(keys[i], value(i), 60);
  for (let i = 0; i < KEYS; i++) await direct.set(keys[i], value(i), 60_000);
  const samples = subjects.map(() => []);
  const round = async (s, ms) => {
    s.attach?.();
    try {
      return await timed((i) => s.get(keys[i & M]), ms);
    } finally {
      s.detach?.();
    }
  };
  for (const s of subjects) await round(s, config.warmupMs);
  for (let r = 0; r < config.rounds; r++) {
    for (let n = 0; n < subjects.length; n++) {
      const idx = (n + r) % subjects.length;
      samples[idx].push(await round(subjects[idx], config.roundMs));
    }
  }
  const base = median(samples[0]);
  for (const [n, s] of subjects.entries()) {
    const row = {
      scenario,
      subject: s.subject,
      opsPerSec: Math.round(median(samples[n])),
      min: Math.round(Math.min(...samples[n])),
      max: Math.round(Math.max(...samples[n])),
      unit: 'ops/s',
      rounds: config.rounds,
      ratio: Math.round((median(samples[n]) / base) * 100) / 100,
    };
    printRow(row);
    rows.push(row);
  }
}
// Both exporters saw the hits (counted exactly).
const { resourceMetrics } = await reader.collect();
const otelOps = resourceMetrics.scopeMetrics
  .flatMap((s) => s.metrics)
  .find((m) => m.descriptor.name === 'cachekit.operations');
if (!otelOps?.dataPoints.some((p) => p.value > 0)) throw new Error('the OTel reader saw no cache operation');
if (!(await registry.metrics()).includes('result="hit"')) throw new Error('the Prometheus registry saw no hit');
undoOtel();
undoProm();
await meterProvider.shutdown();
if (received === 0) throw new Error('no event reached the listener or the diagnostics subscriber');
if (channel.hasSubscribers) throw new Error('diagnostics subscriber left attached');
for (const m of managers) await m.close();
await direct.close();
emit(rows);
