// tags.*: what tags cost (issues 5 and 19), on the memory store and on Redis.
//   tags.get-hit.<store>.1kb   a get hit of an entry written with tags(['users','active']), read
//                              through that tagged view (`cachekit+tags`: the entry and the tags'
//                              versions in one round trip, one MGET on Redis) and with a plain
//                              `cache.get` (`cachekit+tags-plain-get`: the versions are read after
//                              the entry, one more round trip on Redis), vs an untagged entry
//                              (`cachekit`, the baseline); interleaved rounds, rows carry `ratio`
//                              to the baseline.
//   tags.remember-hit.<store>.1kb  the same for a remember hit: through the view vs untagged.
//   tags.flush-10k.<store>     tags(['bulk']).flush() with 10,000 entries carrying 'bulk'
//   tags.get-after-flush.<store>  the first get of one of those entries after the flush (a miss)
// Flush rows are single operations timed over 5 trials (10,000 entries written afresh each
// time): median and min – max in ms.
import { ck, hasDriver } from '../lib/cachekit.mjs';
import { emit, median, runScenario, skip } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';
import { startRedis } from '../lib/redis-server.mjs';

const KEYS = 1024;
const M = KEYS - 1;
const FLUSH_ENTRIES = 10_000;
const TRIALS = 5;
const plainKeys = Array.from({ length: KEYS }, (_, i) => `plain:${i}`);
const taggedKeys = Array.from({ length: KEYS }, (_, i) => `tagged:${i}`);

const rows = [];
const skipped = [];
// Room for the 10,000 bulk entries next to the get keys (the default maxEntries is 10,000).
const stores = { memory: { driver: 'memory', maxEntries: 50_000 } };
let server;
if (hasDriver('redis')) {
  server = await startRedis();
  stores.redis = { driver: 'redis', url: server.url };
} else skip(skipped, 'tags redis', 'redis store not available');
const manager = ck.createCacheManager({ stores });
await manager.ready();

const round3 = (ms) => Math.round(ms * 1000) / 1000;

/** Sets `ratio` (to the first row, the untagged baseline) on the other rows and prints it. */
function withRatios(scenarioRows, label) {
  for (const row of scenarioRows.slice(1)) {
    row.ratio = Math.round((row.opsPerSec / scenarioRows[0].opsPerSec) * 100) / 100;
    console.log(`  ${label.padEnd(28)} ${row.subject.padEnd(22)} ${row.ratio}×`);
  }
}

for (const store of Object.keys(stores)) {
  const cache = manager.store(store);
  const tagged = cache.tags(['users', 'active']);

  // Tagged vs untagged get hit.
  for (let i = 0; i < KEYS; i++) {
    await cache.set(plainKeys[i], object1kb(i), 60);
    await tagged.set(taggedKeys[i], object1kb(i), 60);
  }
  if ((await cache.get(taggedKeys[3]))?.id !== 3) throw new Error(`${store}: tagged get-hit failed`);
  const opts = store === 'redis' ? { rounds: 5, roundMs: 500, warmupMs: 300 } : {};
  if ((await tagged.get(taggedKeys[3]))?.id !== 3) throw new Error(`${store}: tagged view get-hit failed`);
  const getRows = await runScenario(
    `tags.get-hit.${store}.1kb`,
    [
      { subject: 'cachekit', op: (i) => cache.get(plainKeys[i & M]) },
      { subject: 'cachekit+tags', op: (i) => tagged.get(taggedKeys[i & M]) },
      { subject: 'cachekit+tags-plain-get', op: (i) => cache.get(taggedKeys[i & M]) },
    ],
    opts,
  );
  withRatios(getRows, 'tagged / untagged');
  const neverLoads = () => {
    throw new Error(`${store}: remember missed`);
  };
  const rememberRows = await runScenario(
    `tags.remember-hit.${store}.1kb`,
    [
      { subject: 'cachekit', op: (i) => cache.remember(plainKeys[i & M], 60, neverLoads) },
      { subject: 'cachekit+tags', op: (i) => tagged.remember(taggedKeys[i & M], 60, neverLoads) },
    ],
    opts,
  );
  withRatios(rememberRows, 'tagged / untagged');
  rows.push(...getRows, ...rememberRows);

  // flush() with 10,000 tagged entries, and the first get after it.
  const bulk = cache.tags(['bulk']);
  const flushMs = [];
  const firstGetMs = [];
  for (let t = 0; t < TRIALS; t++) {
    for (let i = 0; i < FLUSH_ENTRIES; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => bulk.set(`bulk:${i + j}`, object1kb(i + j), 60));
      await Promise.all(batch);
    }
    const probe = `bulk:${(t * 7919) % FLUSH_ENTRIES}`;
    if ((await cache.get(probe))?.id === undefined) throw new Error(`${store}: bulk entry missing before flush`);
    let start = performance.now();
    await bulk.flush();
    flushMs.push(performance.now() - start);
    start = performance.now();
    const after = await cache.get(probe);
    firstGetMs.push(performance.now() - start);
    if (after !== undefined) throw new Error(`${store}: ${probe} still served after flush()`);
    if ((await cache.get(`bulk:${FLUSH_ENTRIES - 1}`)) !== undefined) throw new Error(`${store}: flush incomplete`);
  }
  for (const [scenario, samples] of [
    [`tags.flush-10k.${store}`, flushMs],
    [`tags.get-after-flush.${store}`, firstGetMs],
  ]) {
    const row = {
      scenario,
      subject: 'cachekit',
      ms: round3(median(samples)),
      min: round3(Math.min(...samples)),
      max: round3(Math.max(...samples)),
      unit: 'ms',
      entries: FLUSH_ENTRIES,
      trials: TRIALS,
    };
    console.log(`  ${scenario.padEnd(28)} ${row.subject.padEnd(22)} ${row.ms} ms  [${row.min} – ${row.max}]`);
    rows.push(row);
  }
  await cache.clear();
}

await manager.close();
await server?.stop();
emit(rows, skipped);
// Reconnect timers of closed clients must not outlive the measurement.
process.exit(0);
