// tiered.get-hit.1kb: an L1 hit of a two-tier (memory + Redis) cache, vs BentoCache's two-tier, and
// vs our own memory store configured like the L1 (subject cachekit-memory): an L1 hit should cost
// what a memory hit costs.
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import Redis from 'ioredis';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { startRedis } from '../lib/redis-server.mjs';
import { stampede } from './stampede.mjs';
import { bentoSubject, cachekitSubject } from '../lib/subjects.mjs';

const rows = [];
const skipped = [];
if (!hasDriver('tiered') || !hasDriver('redis')) {
  skip(skipped, 'tiered', 'tiered store not available');
  emit(rows, skipped);
  process.exit(0);
}
const server = await startRedis();
const N = 1024;
const keys = Array.from({ length: N }, (_, i) => `tier:user:${i}`);
const manager = ck.createCacheManager({
  default: 'near',
  stores: {
    mem: { driver: 'memory' },
    // The L1's twin, on its own: the cachekit-memory subject.
    solo: { driver: 'memory' },
    redis: { driver: 'redis', url: server.url },
    near: { driver: 'tiered', tiers: ['mem', 'redis'] },
  },
});
await manager.ready?.();
const kit = manager.default;
const conns = [new Redis(server.url), new Redis(server.url), new Redis(server.url)];
const bento = new BentoCache({
  default: 't',
  stores: {
    t: bentostore()
      .useL1Layer(memoryDriver({ maxItems: 10_000 }))
      .useL2Layer(redisDriver({ connection: conns[0] }))
      .useBus(redisBusDriver({ connection: { host: '127.0.0.1', port: Number(new URL(server.url).port) } })),
  },
});
const subjects = [
  cachekitSubject(kit, 60),
  { ...cachekitSubject(manager.store('solo'), 60), subject: 'cachekit-memory' },
  bentoSubject(bento, 60_000),
];
// Filled key by key across the subjects, so that their entries share one allocation history: the
// same MemoryStore.getSync on identical contents measured 10-25% slower on whichever store was
// filled first in one block (likely the heap layout of the held copies), skewing the L1 ratio.
for (let i = 0; i < N; i++) for (const s of subjects) await s.set(keys[i], object1kb(i));
for (let i = 0; i < N; i++) for (const s of subjects) await s.get(keys[i]); // make sure L1 holds every key
for (const s of subjects) if ((await s.get(keys[5]))?.id !== 5) throw new Error(`${s.subject}: tiered get-hit failed`);
rows.push(
  ...(await runScenario(
    'tiered.get-hit.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.get(keys[i & (N - 1)]) })),
  )),
);
for (const s of subjects) {
  if (s.subject !== 'cachekit-memory') rows.push(await stampede('stampede.tiered', s.subject, s.remember));
}
await manager.close();
await bento.disconnectAll();
for (const c of conns) c.disconnect();
await server.stop();
emit(rows, skipped);
// Reconnect timers of closed peers must not outlive the measurement.
process.exit(0);
