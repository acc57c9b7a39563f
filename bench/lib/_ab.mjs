// A/B of two copies of src/ in one process (interleaved rounds): node bench/lib/_ab.mjs <dirA> <dirB> [clone|noclone]
import { createRequire } from 'node:module';
import { runScenario } from './harness.mjs';
import { object1kb, STRING_20 } from './payloads.mjs';
const require = createRequire(import.meta.url);
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');
const [a, b, mode = 'clone'] = process.argv.slice(2);
const keys = Array.from({ length: 1024 }, (_, i) => `user:${i}`);
const vals = keys.map((_, i) => object1kb(i));
const subjects = [];
for (const dir of [a, b]) {
  const ck = require(`${dir}/index.ts`);
  const c = ck.createCacheManager({ stores: { memory: { driver: 'memory', clone: mode === 'clone' } } }).default;
  for (let i = 0; i < 1024; i++) {
    await c.set(keys[i], vals[i], 60);
    await c.set(keys[i] + 's', STRING_20, 60);
  }
  subjects.push({ dir, c });
}
const loader = () => 1;
const only = process.env.AB_ONLY?.split(',');
const scen = {
  'get-hit.1kb': (c) => (i) => c.get(keys[i & 1023]),
  'get-hit.str': (c) => (i) => c.get(keys[i & 1023] + 's'),
  'set.1kb': (c) => (i) => c.set(keys[i & 1023], vals[i & 1023], 60),
  'remember-hit.1kb': (c) => (i) => c.remember(keys[i & 1023], 60, loader),
};
for (const [name, mk] of Object.entries(scen)) {
  if (only && !only.includes(name)) continue;
  await runScenario(
    name,
    subjects.map((s, n) => ({ subject: n ? 'B' : 'A', op: mk(s.c) })),
  );
}
