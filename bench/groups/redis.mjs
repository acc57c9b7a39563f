// redis.*: get, set, getMany(100), 100 concurrent gets and 100 concurrent sets of a 1 KB object,
// vs raw ioredis (doing the same commands plus JSON, which any user needs to get an object back;
// on the concurrent rows also batched by hand: `ioredis-mget`, `ioredis-pipeline`),
// cache-manager over @keyv/redis and BentoCache's Redis driver (L2 only). Also stampede.redis,
// and redis-benchmark -c 1 against the same server: the physical floor of the sequential rows.
import { spawnSync } from 'node:child_process';
import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import Redis from 'ioredis';
import { Keyv } from 'keyv';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, printRow, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { startRedis } from '../lib/redis-server.mjs';
import { stampede } from './stampede.mjs';
import { bentoSubject, cachekitSubject } from '../lib/subjects.mjs';

const rows = [];
const skipped = [];
if (!hasDriver('redis')) {
  skip(skipped, 'redis', 'redis store not available');
  emit(rows, skipped);
  process.exit(0);
}
const server = await startRedis();
const TTL_MS = 60_000;
const N = 1024;
const M = N - 1;
const keys = Array.from({ length: N }, (_, i) => `bench:user:${i}`);
const value = object1kb(1);
// The set rows write 1,024 distinct objects of one structure (as an app writes new objects of
// the same type), not one object over and over: no subject can gain from meeting the same object.
const values = keys.map((_, i) => object1kb(i));

const manager = ck.createCacheManager({ stores: { redis: { driver: 'redis', url: server.url } } });
await manager.ready?.();
const kit = manager.default;
const raw = new Redis(server.url);
const cm = createCache({ stores: [new Keyv({ store: new KeyvRedis(server.url), namespace: 'cm' })] });
const bentoConn = new Redis(server.url);
const bento = new BentoCache({
  default: 'r',
  stores: { r: bentostore().useL2Layer(redisDriver({ connection: bentoConn })) },
});
const subjects = [
  cachekitSubject(kit, TTL_MS / 1000),
  {
    subject: 'ioredis',
    get: async (k) => JSON.parse(await raw.get(`io:${k}`)),
    set: (k, v) => raw.set(`io:${k}`, JSON.stringify(v), 'PX', TTL_MS),
    getMany: async (ks) => (await raw.mget(ks.map((k) => `io:${k}`))).map((s) => JSON.parse(s)),
  },
  {
    subject: 'cache-manager',
    get: (k) => cm.get(k),
    set: (k, v) => cm.set(k, v, TTL_MS),
    getMany: (ks) => cm.mget(ks),
    remember: (k, l) => cm.wrap(k, l, TTL_MS),
  },
  bentoSubject(bento, TTL_MS),
];
for (const s of subjects) {
  for (const k of keys) await s.set(k, value);
  if ((await s.get(keys[3]))?.id !== 1) throw new Error(`${s.subject}: redis get-hit failed`);
}
const batches = Array.from({ length: 16 }, (_, b) =>
  keys
    .slice(b * 64, b * 64 + 100)
    .concat(keys)
    .slice(0, 100),
);
// More, shorter rounds than the default: on a loaded machine the median of 9 resists bursts better.
const opts = { rounds: 9, roundMs: 300, warmupMs: 300 };
rows.push(
  ...(await runScenario(
    'redis.get.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.get(keys[i & M]) })),
    opts,
  )),
);
rows.push(
  ...(await runScenario(
    'redis.set.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.set(keys[i & M], values[i & M]) })),
    opts,
  )),
);
rows.push(...floor(server.url));
rows.push(
  ...(await runScenario(
    'redis.getMany100.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.getMany(batches[i & 15]) })),
    { ...opts, perOp: 100, unit: 'keys/s' },
  )),
);
// The batched rows also run raw ioredis batching by hand (one MGET; one pipeline of the 100 SETs):
// what coalescing at best reaches with this client, the bound of these rows.
const ioBatches = batches.map((b) => b.map((k) => `io:${k}`));
rows.push(
  ...(await runScenario(
    'redis.concurrent100.1kb',
    [
      ...subjects.map((s) => ({ subject: s.subject, op: (i) => Promise.all(batches[i & 15].map((k) => s.get(k))) })),
      { subject: 'ioredis-mget', op: async (i) => (await raw.mget(ioBatches[i & 15])).map((t) => JSON.parse(t)) },
    ],
    { ...opts, perOp: 100, unit: 'keys/s' },
  )),
);
rows.push(
  ...(await runScenario(
    'redis.concurrent-set100.1kb',
    [
      ...subjects.map((s) => ({
        subject: s.subject,
        op: (i) => Promise.all(batches[i & 15].map((k, j) => s.set(k, values[(i * 100 + j) & M]))),
      })),
      {
        subject: 'ioredis-pipeline',
        op: (i) => {
          const pipeline = raw.pipeline();
          ioBatches[i & 15].forEach((k, j) => pipeline.set(k, JSON.stringify(values[(i * 100 + j) & M]), 'PX', TTL_MS));
          return pipeline.exec();
        },
      },
    ],
    { ...opts, perOp: 100, unit: 'keys/s' },
  )),
);
for (const s of subjects) if (s.remember) rows.push(await stampede('stampede.redis', s.subject, s.remember));

/**
 * `redis-benchmark -c 1 -n 20000 -t get,set` on the bench's server: one connection, one command
 * at a time, no client library: what a round trip costs on this machine (rows floor.redis-benchmark.*).
 */
function floor(url) {
  const { hostname, port } = new URL(url);
  const args = ['-h', hostname, '-p', port, '-c', '1', '-n', '20000', '-t', 'get,set', '--csv'];
  const res = spawnSync('redis-benchmark', args, { encoding: 'utf8' });
  if (res.status !== 0) {
    skip(skipped, 'floor.redis-benchmark', `redis-benchmark failed: ${res.error?.message ?? res.stderr}`);
    return [];
  }
  console.log(`  redis-benchmark ${args.join(' ')}`);
  const out = [];
  for (const line of res.stdout.split('\n')) {
    const m = /^"(GET|SET)","([\d.]+)"/.exec(line);
    if (!m) continue;
    const ops = Math.round(Number(m[2]));
    const scenario = `floor.redis-benchmark.${m[1].toLowerCase()}`;
    const row = { scenario, subject: 'redis-benchmark', opsPerSec: ops, min: ops, max: ops, unit: 'ops/s', rounds: 1 };
    printRow(row);
    out.push(row);
  }
  return out;
}

await manager.close();
raw.disconnect();
await cm.disconnect();
await bento.disconnectAll();
bentoConn.disconnect();
await server.stop();
emit(rows, skipped);
// Reconnect timers of closed peers must not outlive the measurement.
process.exit(0);
