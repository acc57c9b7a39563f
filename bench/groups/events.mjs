// events.*: what stats and event subscribers cost on the hottest path, a memory get hit (issue 7).
// Subjects, each its own manager on the same keys and values:
//   cachekit              defaults: stats counters on, no listener, no diagnostics subscriber
//   cachekit+listener     a '*' listener on manager.on (receives every hit)
//   cachekit+diagnostics  a node:diagnostics_channel subscriber on 'nestjs-cachekit:event'
//   store-direct          MemoryStore.get without the Cache layer (no stats, no events, no key
//                         normalisation): the floor the layer's whole cost is measured against
// The diagnostics channel is process-wide, so its subscriber is attached only while that
// subject's round runs. Rows carry `ratio` = subject median / cachekit median.
import diagnosticsChannel from 'node:diagnostics_channel';
import { ck } from '../lib/cachekit.mjs';
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

const subjects = [
  { subject: 'cachekit', get: (k) => plain.default.get(k) },
  { subject: 'cachekit+listener', get: (k) => withListener.default.get(k) },
  {
    subject: 'cachekit+diagnostics',
    get: (k) => viaChannel.default.get(k),
    attach: () => channel.subscribe(listener),
    detach: () => channel.unsubscribe(listener),
  },
  { subject: 'store-direct', get: (k) => direct.get(k) },
];

const rows = [];
for (const [scenario, value] of [
  ['events.get-hit.1kb', (i) => object1kb(i)],
  ['events.get-hit.str', () => STRING_20],
]) {
  for (const m of [plain, withListener, viaChannel])
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
if (received === 0) throw new Error('no event reached the listener or the diagnostics subscriber');
if (channel.hasSubscribers) throw new Error('diagnostics subscriber left attached');
for (const m of managers) await m.close();
await direct.close();
emit(rows);
