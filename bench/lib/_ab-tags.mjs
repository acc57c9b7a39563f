// CPU-time A/B of the tags rows: node --expose-gc bench/lib/_ab-tags.mjs <dirA> <dirB> [memory|redis] [rounds]
// Both copies of src/ in one process (absolute paths). For each copy, a tagged get hit (through
// `cache.tags(['users','active'])`, 1 KB object) and an untagged one, in alternating blocks timed
// by process.cpuUsage (time descheduled on a loaded machine does not count). Prints, per copy, the
// median and range of tagged / untagged in operations per CPU-second (the bench's `ratio`), and
// B/A of the tagged hit. Redis: the shared 127.0.0.1:6379 under a unique prefix (deleted after).
// Run A against a copy of itself first: the B/A it prints is the harness's own bias.
import { createRequire } from 'node:module';
import { object1kb } from './payloads.mjs';
const require = createRequire(import.meta.url);
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');
const [a, b, store = 'memory', rounds = '11'] = process.argv.slice(2);
const KEYS = 1024;
const prefix = `ab-tags-${process.pid}`;
const managers = [];
const subjects = [];
for (const [n, dir] of [a, b].entries()) {
  const ck = require(`${dir}/index.ts`);
  const config =
    store === 'redis'
      ? { driver: 'redis', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `${prefix}-${n}` }
      : { driver: 'memory', maxEntries: 50_000 };
  const m = ck.createCacheManager({ stores: { s: config } });
  await m.ready();
  managers.push(m);
  const c = m.store('s');
  const tagged = c.tags(['users', 'active']);
  for (let i = 0; i < KEYS; i++) {
    await c.set(`plain:${i}`, object1kb(i), 600);
    await tagged.set(`tagged:${i}`, object1kb(i), 600);
  }
  if ((await tagged.get('tagged:3'))?.id !== 3) throw new Error(`${dir}: tagged hit failed`);
  subjects.push({
    plain: (i) => c.get(`plain:${i & (KEYS - 1)}`),
    tagged: (i) => tagged.get(`tagged:${i & (KEYS - 1)}`),
    clear: () => c.clear(),
  });
}
const N = store === 'redis' ? 2_000 : 100_000;
async function block(op) {
  const t = process.cpuUsage();
  for (let i = 0; i < N; i++) await op(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / N;
}
for (const s of subjects) {
  await block(s.plain);
  await block(s.tagged);
}
const ratio = [[], []];
const ba = [];
for (let r = 0; r < Number(rounds); r++) {
  const cost = [{}, {}];
  for (const n of r % 2 ? [1, 0] : [0, 1]) {
    const kinds = (r >> 1) % 2 ? ['tagged', 'plain'] : ['plain', 'tagged'];
    for (const kind of kinds) cost[n][kind] = await block(subjects[n][kind]);
  }
  for (const n of [0, 1]) ratio[n].push(cost[n].plain / cost[n].tagged);
  ba.push(cost[0].tagged / cost[1].tagged);
}
const f = (xs) => {
  xs.sort((x, y) => x - y);
  return `median ${xs[xs.length >> 1].toFixed(3)}, range ${xs[0].toFixed(3)} – ${xs.at(-1).toFixed(3)}`;
};
console.log(`tags.get-hit.${store} tagged / untagged (CPU time), A: ${f(ratio[0])}`);
console.log(`tags.get-hit.${store} tagged / untagged (CPU time), B: ${f(ratio[1])}`);
console.log(`tags.get-hit.${store} tagged B/A (CPU time): ${f(ba)}`);
for (const s of subjects) await s.clear();
for (const m of managers) await m.close();
process.exit(0);
