// Callgrind instructions per hit, counters zeroed and dumped around each block (main thread only with
// --single-threaded; the first block of a run carries start-up work: take the later ones):
//   valgrind --tool=callgrind --smc-check=all-non-file node --single-threaded bench/lib/_cg-hit.mjs <abs src> tags|tiered|core
// Sum a run's dumps with bench/lib/_cg-sum.mjs <dir of callgrind.out.*>.
// Each block of CG_OPS ops is preceded by an empty one (the spawn cost of callgrind_control).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
const require = createRequire(import.meta.url);
const dir = process.argv[2];
const which = process.argv[3];
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');
const { object1kb } = await import('./payloads.mjs');
const ck = require(`${dir}/index.ts`);
const N = 1024,
  M = N - 1;
const OPS = Number(process.env.CG_OPS ?? 20000);
const WARM = Number(process.env.CG_WARM ?? 200000);
let subjects, cleanup;
if (which === 'tags') {
  const m = ck.createCacheManager({ stores: { memory: { driver: 'memory', maxEntries: 50_000 } } });
  await m.ready();
  const c = m.store('memory');
  const tagged = c.tags(['users', 'active']);
  for (let i = 0; i < N; i++) {
    await c.set(`plain:${i}`, object1kb(i), 60);
    await tagged.set(`tagged:${i}`, object1kb(i), 60);
  }
  subjects = [
    ['plain', (i) => c.get(`plain:${i & M}`)],
    ['tagged', (i) => tagged.get(`tagged:${i & M}`)],
  ];
  cleanup = () => m.close();
} else if (which === 'core') {
  // The memory group's hot rows on one cache: get hit, remember hit, set (clone mode, 20-char string).
  const m = ck.createCacheManager({ stores: { memory: { driver: 'memory' } } });
  await m.ready();
  const c = m.default;
  const S = 'abcdefghijklmnopqrst';
  const loader = () => 1;
  for (let i = 0; i < N; i++) {
    await c.set(`s:${i}`, S, 60);
    await c.set(`o:${i}`, object1kb(i), 60);
  }
  subjects = [
    ['get-str', (i) => c.get(`s:${i & M}`)],
    ['remember-str', (i) => c.remember(`s:${i & M}`, 60, loader)],
    ['remember-1kb', (i) => c.remember(`o:${i & M}`, 60, loader)],
    ['set-str', (i) => c.set(`s:${i & M}`, S, 60)],
  ];
  cleanup = () => m.close();
} else {
  const { startRedis } = await import('./redis-server.mjs');
  const server = await startRedis();
  const m = ck.createCacheManager({
    default: 'near',
    stores: {
      mem: { driver: 'memory' },
      solo: { driver: 'memory' },
      redis: { driver: 'redis', url: server.url },
      near: { driver: 'tiered', tiers: ['mem', 'redis'] },
    },
  });
  await m.ready();
  const t = m.default,
    s = m.store('solo');
  const keys = Array.from({ length: N }, (_, i) => `tier:user:${i}`);
  for (let i = 0; i < N; i++) {
    await t.set(keys[i], object1kb(i), 60);
    await s.set(keys[i], object1kb(i), 60);
  }
  for (let i = 0; i < N; i++) {
    await t.get(keys[i]);
    await s.get(keys[i]);
  }
  subjects = [
    ['memory', (i) => s.get(keys[i & M])],
    ['tiered', (i) => t.get(keys[i & M])],
  ];
  cleanup = async () => {
    await m.close();
    await server.stop();
  };
}
if (process.env.CG_ONLY) subjects = subjects.filter(([name]) => process.env.CG_ONLY.split(',').includes(name));
// warm-up interleaved like the bench
for (let r = 0; r < 4; r++) for (const [, op] of subjects) for (let i = 0; i < WARM / 4; i++) await op(i);
const cg = (flag) => spawnSync('callgrind_control', [flag, String(process.pid)], { stdio: 'ignore' });
cg('-z'); // the first request of a run is not always served: once before anything is measured
for (let rep = 0; rep < Number(process.env.CG_REPS ?? 3); rep++)
  for (const [name, op] of subjects) {
    for (const n of [0, OPS]) {
      cg('-z');
      for (let i = 0; i < n; i++) await op(i);
      cg(`--dump=${name}-${n}`);
    }
  }
await cleanup();
process.exit(0);
