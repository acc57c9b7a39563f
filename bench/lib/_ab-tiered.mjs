// A/B of the two-tier L1 hit against a plain memory hit, for two copies of src/ in one process:
//   node --expose-gc bench/lib/_ab-tiered.mjs <dirA> <dirB>      (AB_SCEN=remember for remember hits)
// Each copy gets a tiered store (memory + Redis) and a memory store configured like its L1, filled
// key by key together. The figure is main-thread CPU time per operation (from /proc, in 10 ms
// ticks over rounds of AB_OPS operations): unlike wall time it leaves out the time spent waiting
// for a core and GC helper threads, so it holds on a loaded machine. Rounds interleaved, medians.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { median } from './harness.mjs';
import { object1kb } from './payloads.mjs';
import { startRedis } from './redis-server.mjs';

const require = createRequire(import.meta.url);
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');
const [a, b] = process.argv.slice(2);
const scenario = process.env.AB_SCEN ?? 'get';
const OPS = Number(process.env.AB_OPS ?? 1_000_000);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 7);
const N = 1024;
const keys = Array.from({ length: N }, (_, i) => `tier:user:${i}`);
const loader = () => 1;

/** This thread's user + system CPU time, in ticks of 10 ms. */
const stat = `/proc/self/task/${process.pid}/stat`;
function cpuTicks() {
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const server = await startRedis();
const managers = [];
const subjects = [];
for (const [tag, dir] of [
  ['A', a],
  ['B', b],
]) {
  const ck = require(`${dir}/index.ts`);
  const manager = ck.createCacheManager({
    default: 'near',
    prefix: tag,
    stores: {
      mem: { driver: 'memory' },
      solo: { driver: 'memory' },
      redis: { driver: 'redis', url: server.url },
      near: { driver: 'tiered', tiers: ['mem', 'redis'] },
    },
  });
  await manager.ready();
  managers.push(manager);
  subjects.push(
    { name: `${tag}-tiered`, cache: manager.default },
    { name: `${tag}-memory`, cache: manager.store('solo') },
  );
}
for (let i = 0; i < N; i++) for (const s of subjects) await s.cache.set(keys[i], object1kb(i), 60);
for (let i = 0; i < N; i++) for (const s of subjects) await s.cache.get(keys[i]);

/** Nanoseconds of main-thread CPU per operation over one round. */
async function round(cache) {
  const start = cpuTicks();
  if (scenario === 'remember') for (let i = 0; i < OPS; i++) await cache.remember(keys[i & (N - 1)], 60, loader);
  else for (let i = 0; i < OPS; i++) await cache.get(keys[i & (N - 1)]);
  return ((cpuTicks() - start) * 1e7) / OPS;
}
for (const s of subjects) await round(s.cache); // warm-up
const samples = subjects.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let n = 0; n < subjects.length; n++) {
    const idx = (n + r) % subjects.length; // rotate the order every round
    samples[idx].push(await round(subjects[idx].cache));
  }
}
const ns = Object.fromEntries(subjects.map((s, i) => [s.name, median(samples[i])]));
for (const [i, s] of subjects.entries()) {
  console.log(`${s.name.padEnd(9)} ${ns[s.name].toFixed(0)} ns/op  [${samples[i].map((x) => x.toFixed(0)).join(' ')}]`);
}
const ratio = (x, y) => (ns[y] / ns[x]).toFixed(3);
console.log(
  `${scenario}: tiered/memory A ${ratio('A-tiered', 'A-memory')}, B ${ratio('B-tiered', 'B-memory')}; tiered B/A ${ratio('B-tiered', 'A-tiered')}`,
);
for (const m of managers) await m.close();
await server.stop();
process.exit(0);
