// CPU-time A/B of one scenario: node --expose-gc bench/lib/_ab-cpu.mjs <dirA> <dirB> [scenario] [rounds]
// Both copies of src/ in one process (absolute paths), alternating blocks of 200,000 awaited
// operations, each block timed by process.cpuUsage (so time the process spends descheduled on a
// loaded machine does not count). Prints the median and range of B/A in operations per CPU-second.
// Run A against a copy of itself first: the figure it prints is the harness's own bias.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');
const [a, b, scenario = 'get-hit.str', rounds = '11'] = process.argv.slice(2);
const S = 'abcdefghijklmnopqrst';
const keys = Array.from({ length: 1024 }, (_, i) => `user:${i}`);
const subjects = [];
for (const dir of [a, b]) {
  const ck = require(`${dir}/index.ts`);
  const m = ck.createCacheManager({
    stores: { memory: { driver: 'memory' }, limited: { driver: 'memory', maxValueBytes: 1 << 20 } },
  });
  const c = m.default;
  const limited = m.store('limited');
  for (const k of keys) {
    await c.set(k + 's', S, 60);
    await limited.set(k, S, 60);
  }
  const ops = {
    'get-hit.str': (i) => c.get(keys[i & 1023] + 's'),
    'remember-hit.str': (i) => c.remember(keys[i & 1023] + 's', 60, () => 1),
    'set.str': (i) => c.set(keys[i & 1023] + 's', S, 60),
    'maxValueBytes.get.str': (i) => limited.get(keys[i & 1023]),
    'maxValueBytes.set.str': (i) => limited.set(keys[i & 1023], S, 60),
  };
  if (!ops[scenario]) throw new Error(`unknown scenario ${scenario}; known: ${Object.keys(ops).join(', ')}`);
  subjects.push(ops[scenario]);
}
const N = 200_000;
async function block(op) {
  const t = process.cpuUsage();
  for (let i = 0; i < N; i++) await op(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / N;
}
for (const op of subjects) await block(op);
const ratios = [];
for (let r = 0; r < Number(rounds); r++) {
  const cost = [];
  for (const s of r % 2 ? [1, 0] : [0, 1]) cost[s] = await block(subjects[s]);
  ratios.push(cost[0] / cost[1]);
}
ratios.sort((x, y) => x - y);
const f = (x) => x.toFixed(3);
console.log(
  `${scenario} B/A (CPU time): median ${f(ratios[ratios.length >> 1])}, range ${f(ratios[0])} – ${f(ratios.at(-1))}`,
);
