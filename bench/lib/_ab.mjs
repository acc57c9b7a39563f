// A/B of two copies of src/ in one process (interleaved rounds): node bench/lib/_ab.mjs <dirA> <dirB> [clone|noclone]
// Prints each scenario for A and B and the ratio B/A (median of rounds). Use it for refactors:
// copy the old src/ aside (`git archive <commit> src | tar -x -C /tmp/old`) and run old vs new.
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
const loader = () => 1;
for (const dir of [a, b]) {
  const ck = require(`${dir}/index.ts`);
  const clone = mode === 'clone';
  const m = ck.createCacheManager({
    stores: {
      memory: { driver: 'memory', clone },
      limited: { driver: 'memory', clone, maxValueBytes: 1 << 20 },
    },
  });
  const c = m.default;
  // The events group's subject: the same store kind with a '*' listener on its manager.
  const heard = ck.createCacheManager({ stores: { memory: { driver: 'memory', clone } } });
  heard.on('*', () => undefined);
  subjects.push({ dir, c, limited: m.store('limited'), tagged: c.tags(['users']), heard: heard.default });
}
// Filled key by key, A and B interleaved: filling one subject completely before the other put
// the first one's entries in a different heap layout (the same src/ as A and B measured B/A
// 1.10-1.31 in wall time when filled one after the other).
for (let i = 0; i < 1024; i++) {
  for (const { c, limited, tagged, heard } of subjects) {
    await c.set(keys[i], vals[i], 60);
    await c.set(keys[i] + 's', STRING_20, 60);
    await tagged.set(keys[i] + 't', STRING_20, 60);
    await tagged.set(keys[i] + 'o', vals[i], 60);
    await c.remember(keys[i] + 'w', 60, () => STRING_20, { staleTtl: 60 });
    await limited.set(keys[i], STRING_20, 60);
    await heard.set(keys[i], vals[i], 60);
  }
}
const only = process.env.AB_ONLY?.split(',');
const scen = {
  'get-hit.1kb':
    ({ c }) =>
    (i) =>
      c.get(keys[i & 1023]),
  'get-hit.str':
    ({ c }) =>
    (i) =>
      c.get(keys[i & 1023] + 's'),
  'set.1kb':
    ({ c }) =>
    (i) =>
      c.set(keys[i & 1023], vals[i & 1023], 60),
  'remember-hit.1kb':
    ({ c }) =>
    (i) =>
      c.remember(keys[i & 1023], 60, loader),
  'tagged-hit.str':
    ({ c }) =>
    (i) =>
      c.get(keys[i & 1023] + 't'),
  'swr-hit.str':
    ({ c }) =>
    (i) =>
      c.remember(keys[i & 1023] + 'w', 60, loader, { staleTtl: 60 }),
  'tagged-hit.1kb':
    ({ tagged }) =>
    (i) =>
      tagged.get(keys[i & 1023] + 'o'),
  'events.listener.get-hit.1kb':
    ({ heard }) =>
    (i) =>
      heard.get(keys[i & 1023]),
  'maxValueBytes.get.str':
    ({ limited }) =>
    (i) =>
      limited.get(keys[i & 1023]),
  'maxValueBytes.set.str':
    ({ limited }) =>
    (i) =>
      limited.set(keys[i & 1023], STRING_20, 60),
};
const ratios = [];
for (const [name, mk] of Object.entries(scen)) {
  if (only && !only.includes(name)) continue;
  const [ra, rb] = await runScenario(
    name,
    subjects.map((s, n) => ({ subject: n ? 'B' : 'A', op: mk(s) })),
  );
  ratios.push([name, rb.opsPerSec / ra.opsPerSec]);
}
console.log('\nB/A');
for (const [name, r] of ratios) console.log(`  ${name.padEnd(28)} ${r.toFixed(3)}`);
