// scale.*: how cost grows with the work (issue 19). Each curve's points run interleaved, round
// by round, so machine noise hits every point of a curve alike; a row is the median of its rounds.
//   scale.getMany.<10|100|1000|10000>.<memory|redis>   getMany of n 1 KB objects, keys/s
//                                                       (subjects cachekit; on memory cachekit-freeze and
//                                                       copy-floor, a hand-written copy from a Map; on Redis
//                                                       ioredis MGET + JSON)
//   scale.get-hit.<1e3|1e6>.memory                     a get hit with 10^3 vs 10^6 entries in the store
//                                                       (cachekit, and lru-cache alone: the memory floor)
//   scale.get.<1e3|1e5>.file                           a file get hit with 10^3 vs 10^5 entries on disk
//   scale.flush.<1e3|1e5>.<memory|redis>               tags([t]).flush() with 10^3 vs 10^5 live entries
//                                                       carrying t (ms; entries written afresh per trial)
//   scale.get.<1kb|100kb|1mb>.redis                    a get of a 1 KB, 100 KB, 1 MB object (cachekit, ioredis)
//   scale.remember.1000x100.<memory|redis>             1,000 concurrent remember calls on 100 cold keys:
//                                                       loader calls (100 is right) and ms for all to resolve
// BENCH_SCALE_FILE_ENTRIES / BENCH_SCALE_MEMORY_ENTRIES shrink the big points for a quick run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { config, emit, median, printRow, skip, sleep, timed } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { startRedis } from '../lib/redis-server.mjs';

const rows = [];
const skipped = [];
const TTL_S = 600;
const BIG_MEMORY = Number(process.env.BENCH_SCALE_MEMORY_ENTRIES ?? 1_000_000);
const BIG_FILE = Number(process.env.BENCH_SCALE_FILE_ENTRIES ?? 100_000);
const BIG_FLUSH = 100_000;
const label = (n) => (n >= 1000 && Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n));
const round3 = (ms) => Math.round(ms * 1000) / 1000;
const gc = () => globalThis.gc?.();

/**
 * Like the harness's `timed`, but looks at the clock after every operation: one getMany of 10,000
 * keys takes long enough that the harness's batches of 32 would overrun a round many times over.
 */
async function timedEach(op, ms) {
  let i = 0;
  const start = performance.now();
  let now;
  do {
    await op(i++);
    now = performance.now();
  } while (now - start < ms);
  return (i * 1000) / (now - start);
}

/**
 * Runs the points of one curve interleaved: every round times each point once (order rotated),
 * after a warm-up of each. `points`: `[{ scenario, subject, op, perOp? }]`; `heavy` times every
 * operation on its own (see {@link timedEach}). Returns the rows.
 */
async function curve(points, { unit = 'ops/s', rounds = config.rounds, roundMs = config.roundMs, heavy = false } = {}) {
  const time = heavy ? timedEach : timed;
  const samples = points.map(() => []);
  for (const p of points) await time(p.op, config.warmupMs);
  for (let r = 0; r < rounds; r++) {
    for (let n = 0; n < points.length; n++) {
      const idx = (n + r) % points.length;
      samples[idx].push((await time(points[idx].op, roundMs)) * (points[idx].perOp ?? 1));
    }
  }
  const out = points.map((p, n) => ({
    scenario: p.scenario,
    subject: p.subject,
    opsPerSec: Math.round(median(samples[n])),
    min: Math.round(Math.min(...samples[n])),
    max: Math.round(Math.max(...samples[n])),
    unit,
    rounds,
    ...p.extra,
  }));
  for (const row of out) printRow(row);
  return out;
}

/** Writes `n` entries `${prefix}${i}` through setMany, `chunk` at a time. */
async function fill(cache, prefix, n, value, chunk = 1000) {
  for (let i = 0; i < n; i += chunk) {
    const entries = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) entries.push([`${prefix}${j}`, value(j)]);
    if (!(await cache.setMany(entries, TTL_S))) throw new Error(`setMany failed at ${prefix}${i}`);
  }
}

/** A deep copy of an {@link object1kb}, written out for its shape (the copy-floor subject). */
const copyObject1kb = (v) => ({
  id: v.id,
  uuid: v.uuid,
  name: v.name,
  email: v.email,
  active: v.active,
  score: v.score,
  roles: [v.roles[0], v.roles[1], v.roles[2]],
  address: { street: v.address.street, city: v.address.city, zip: v.address.zip, country: v.address.country },
  preferences: {
    theme: v.preferences.theme,
    language: v.preferences.language,
    notifications: { ...v.preferences.notifications },
  },
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
  history: v.history.map((h) => ({ at: h.at, action: h.action, ip: h.ip })),
  bio: v.bio,
});

/** A stride coprime with every size used here (10^k): visits all of 0..n-1 in a scattered order. */
const STRIDE = 7919;

let server;
const stores = {
  memory: { driver: 'memory', maxEntries: 50_000 },
  freezeMemory: { driver: 'memory', maxEntries: 50_000, isolation: 'freeze' },
  bigMemory: { driver: 'memory', maxEntries: BIG_MEMORY + 1000, pruneInterval: 0 },
  smallMemory: { driver: 'memory', maxEntries: 2000, pruneInterval: 0 },
  flushMemory: { driver: 'memory', maxEntries: BIG_FLUSH * 3, pruneInterval: 0 },
};
if (hasDriver('redis')) {
  server = await startRedis();
  // A getMany of 10,000 1 KB values moves 10 MB: more than the default second on a loaded machine.
  stores.redis = { driver: 'redis', url: server.url, timeout: 30_000 };
} else skip(skipped, 'scale redis', 'redis store not available');
const dir = hasDriver('file') ? mkdtempSync(join(os.tmpdir(), 'cachekit-bench-scale-')) : undefined;
if (dir) {
  stores.smallFile = { driver: 'file', directory: join(dir, 'small'), pruneInterval: 0 };
  stores.bigFile = { driver: 'file', directory: join(dir, 'big'), pruneInterval: 0 };
} else skip(skipped, 'scale file', 'file store not available');
const manager = ck.createCacheManager({ stores });
await manager.ready();
const raw = server ? new Redis(server.url) : undefined;

// --- getMany of 10 … 10,000 keys --------------------------------------------------------------
const SIZES = [10, 100, 1000, 10_000];
const POOL = 10_000;
const poolKeys = Array.from({ length: POOL }, (_, i) => `many:${i}`);
for (const store of ['memory', 'redis']) {
  if (!stores[store]) continue;
  const cache = manager.store(store);
  await fill(cache, 'many:', POOL, (i) => object1kb(i));
  if (raw) {
    for (let i = 0; i < POOL; i += 1000) {
      const args = poolKeys.slice(i, i + 1000).flatMap((k, j) => [`io:${k}`, JSON.stringify(object1kb(i + j))]);
      await raw.mset(...args);
    }
  }
  // A few different windows of the pool per size, so repeated calls do not read the same keys.
  const batches = Object.fromEntries(
    SIZES.map((n) => [
      n,
      Array.from({ length: 8 }, (_, b) => {
        const from = (b * 997) % (POOL - n + 1);
        return poolKeys.slice(from, from + n);
      }),
    ]),
  );
  const check = await cache.getMany(batches[100][3]);
  if (Object.values(check).some((v) => v?.uuid === undefined)) throw new Error(`${store}: getMany check failed`);
  const points = SIZES.map((n) => ({
    scenario: `scale.getMany.${n}.${store}`,
    subject: 'cachekit',
    perOp: n,
    op: (i) => cache.getMany(batches[n][i & 7]),
  }));
  if (store === 'memory') {
    // The same batches with isolation: 'freeze' (no copies), and the floor of any isolated read:
    // a Map of the same objects and a copy written by hand for exactly this shape, the cheapest
    // copy JS can make. Its curve is what 10,000 fresh 1 KB objects alive at once cost in V8.
    const frozen = manager.store('freezeMemory');
    await fill(frozen, 'many:', POOL, (i) => object1kb(i));
    const held = new Map(poolKeys.map((k, i) => [k, object1kb(i)]));
    for (const n of SIZES) {
      points.push(
        {
          scenario: `scale.getMany.${n}.memory`,
          subject: 'cachekit-freeze',
          perOp: n,
          op: (i) => frozen.getMany(batches[n][i & 7]),
        },
        {
          scenario: `scale.getMany.${n}.memory`,
          subject: 'copy-floor',
          perOp: n,
          op: async (i) => {
            const out = {};
            for (const k of batches[n][i & 7]) out[k] = copyObject1kb(held.get(k));
            return out;
          },
        },
      );
    }
  }
  if (store === 'redis') {
    const ioBatches = Object.fromEntries(SIZES.map((n) => [n, batches[n].map((b) => b.map((k) => `io:${k}`))]));
    for (const n of SIZES) {
      points.push({
        scenario: `scale.getMany.${n}.redis`,
        subject: 'ioredis',
        perOp: n,
        op: async (i) => (await raw.mget(ioBatches[n][i & 7])).map((s) => JSON.parse(s)),
      });
    }
  }
  rows.push(...(await curve(points, { unit: 'keys/s', heavy: true, ...(store === 'redis' ? { roundMs: 800 } : {}) })));
  await cache.clear();
  if (store === 'memory') await manager.store('freezeMemory').clear();
}

// --- memory get hit with 10^3 vs 10^6 entries -------------------------------------------------
{
  const small = manager.store('smallMemory');
  const big = manager.store('bigMemory');
  const value = (i) => ({ id: i, name: 'Ada', active: true });
  const bigKeys = Array.from({ length: BIG_MEMORY }, (_, i) => `hit:${i}`);
  await fill(small, 'hit:', 1000, value);
  await fill(big, 'hit:', BIG_MEMORY, value, 10_000);
  if ((await big.get(bigKeys[BIG_MEMORY - 1]))?.id !== BIG_MEMORY - 1) throw new Error('get-hit.1e6 fill failed');
  gc();
  // The same curve for lru-cache itself (under our memory store): what the machine's memory allows.
  const lruSmall = new LRUCache({ max: 2000, ttl: TTL_S * 1000 });
  const lruBig = new LRUCache({ max: BIG_MEMORY + 1000, ttl: TTL_S * 1000 });
  for (let i = 0; i < 1000; i++) lruSmall.set(bigKeys[i], value(i));
  for (let i = 0; i < BIG_MEMORY; i++) lruBig.set(bigKeys[i], value(i));
  gc();
  const bigName = `scale.get-hit.${label(BIG_MEMORY)}.memory`;
  rows.push(
    ...(await curve([
      { scenario: 'scale.get-hit.1e3.memory', subject: 'cachekit', op: (i) => small.get(bigKeys[(i * STRIDE) % 1000]) },
      { scenario: bigName, subject: 'cachekit', op: (i) => big.get(bigKeys[(i * STRIDE) % BIG_MEMORY]) },
      {
        scenario: 'scale.get-hit.1e3.memory',
        subject: 'lru-cache',
        op: async (i) => lruSmall.get(bigKeys[(i * STRIDE) % 1000]),
      },
      { scenario: bigName, subject: 'lru-cache', op: async (i) => lruBig.get(bigKeys[(i * STRIDE) % BIG_MEMORY]) },
    ])),
  );
  lruBig.clear();
  await big.clear();
  await small.clear();
  gc();
}

// --- file get with 10^3 vs 10^5 entries on disk -----------------------------------------------
if (dir) {
  const small = manager.store('smallFile');
  const big = manager.store('bigFile');
  const started = performance.now();
  await fill(small, 'f:', 1000, (i) => object1kb(i), 250);
  await fill(big, 'f:', BIG_FILE, (i) => object1kb(i), 250);
  console.log(`  (wrote ${1000 + BIG_FILE} entry files in ${Math.round(performance.now() - started)} ms)`);
  const fileKeys = Array.from({ length: BIG_FILE }, (_, i) => `f:${i}`);
  if ((await big.get(fileKeys[BIG_FILE - 1]))?.id !== BIG_FILE - 1) throw new Error('get.1e5.file fill failed');
  rows.push(
    ...(await curve([
      { scenario: 'scale.get.1e3.file', subject: 'cachekit', op: (i) => small.get(fileKeys[(i * STRIDE) % 1000]) },
      {
        scenario: `scale.get.${label(BIG_FILE)}.file`,
        subject: 'cachekit',
        op: (i) => big.get(fileKeys[(i * STRIDE) % BIG_FILE]),
      },
    ])),
  );
}

// --- tag flush with 10^3 vs 10^5 tagged entries -----------------------------------------------
for (const store of ['flushMemory', 'redis']) {
  if (!stores[store]) continue;
  const name = store === 'flushMemory' ? 'memory' : 'redis';
  const cache = manager.store(store);
  const trials = 7;
  const samples = { 1000: [], [BIG_FLUSH]: [] };
  for (let t = 0; t < trials; t++) {
    // Alternate which size goes first, so neither always follows the other's writes.
    for (const n of t % 2 ? [BIG_FLUSH, 1000] : [1000, BIG_FLUSH]) {
      const tagged = cache.tags([`bulk-${n}`]);
      await fill(tagged, `bulk-${n}:`, n, (i) => ({ id: i }), 1000);
      const probe = `bulk-${n}:${(t * STRIDE) % n}`;
      if ((await cache.get(probe))?.id === undefined) throw new Error(`${name}: ${probe} missing before flush`);
      gc();
      await sleep(20);
      // One more round trip first, so the flush does not queue behind the tail of the writes.
      await cache.has(probe);
      const start = performance.now();
      await tagged.flush();
      samples[n].push(performance.now() - start);
      if ((await cache.get(probe)) !== undefined) throw new Error(`${name}: ${probe} served after flush()`);
    }
  }
  for (const n of [1000, BIG_FLUSH]) {
    const row = {
      scenario: `scale.flush.${label(n)}.${name}`,
      subject: 'cachekit',
      ms: round3(median(samples[n])),
      min: round3(Math.min(...samples[n])),
      max: round3(Math.max(...samples[n])),
      unit: 'ms',
      entries: n,
      trials,
    };
    console.log(`  ${row.scenario.padEnd(28)} ${row.subject.padEnd(22)} ${row.ms} ms  [${row.min} – ${row.max}]`);
    rows.push(row);
  }
  await cache.clear();
}

// --- Redis get of 1 KB, 100 KB, 1 MB ----------------------------------------------------------
if (raw) {
  const cache = manager.store('redis');
  const values = {
    '1kb': object1kb(1),
    '100kb': { id: 1, items: Array.from({ length: 100 }, (_, i) => object1kb(i)) },
    '1mb': { id: 1, items: Array.from({ length: 1000 }, (_, i) => object1kb(i)) },
  };
  for (const [size, value] of Object.entries(values)) {
    const keys = Array.from({ length: 8 }, (_, i) => `big:${size}:${i}`);
    const text = JSON.stringify(value);
    for (const k of keys) {
      await cache.set(k, value, TTL_S);
      await raw.set(`io:${k}`, text, 'EX', TTL_S);
    }
    if ((await cache.get(keys[1]))?.id !== 1) throw new Error(`redis get ${size} failed`);
    const opts = size === '1kb' ? { roundMs: 500 } : { roundMs: 800, heavy: true };
    rows.push(
      ...(await curve(
        [
          { scenario: `scale.get.${size}.redis`, subject: 'cachekit', op: (i) => cache.get(keys[i & 7]) },
          {
            scenario: `scale.get.${size}.redis`,
            subject: 'ioredis',
            op: async (i) => JSON.parse(await raw.get(`io:${keys[i & 7]}`)),
          },
        ],
        opts,
      )),
    );
  }
  await cache.clear();
}

// --- remember: 1,000 concurrent callers on 100 hot keys ---------------------------------------
for (const store of ['memory', 'redis']) {
  if (!stores[store]) continue;
  const cache = manager.store(store);
  await cache.clear();
  let calls = 0;
  const loader = (i) => async () => {
    calls++;
    await sleep(20);
    return { id: i };
  };
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: 1000 }, (_, c) => cache.remember(`hot:${c % 100}`, TTL_S, loader(c % 100))),
  );
  const ms = performance.now() - start;
  const wrong = results.filter((r, c) => r?.id !== c % 100).length;
  const row = {
    scenario: `scale.remember.1000x100.${store}`,
    subject: 'cachekit',
    loaderCalls: calls,
    callers: 1000,
    keys: 100,
    ms: Math.round(ms),
    wrongResults: wrong,
  };
  console.log(
    `  ${row.scenario.padEnd(28)} ${row.subject.padEnd(22)} loaderCalls=${calls}/100 keys, 1000 callers  ${row.ms} ms${wrong ? `  WRONG RESULTS: ${wrong}` : ''}`,
  );
  rows.push(row);
  await cache.clear();
}

await manager.close();
raw?.disconnect();
await server?.stop();
emit(rows, skipped);
// 10^5 entry files take minutes to unlink on a busy disk: a detached process removes them.
if (dir && process.platform !== 'win32') spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
else if (dir) rmSync(dir, { recursive: true, force: true });
// Reconnect timers of closed clients must not outlive the measurement.
process.exit(0);
