// memory.*: get hit (1 KB object and 20-byte string), set, remember hit; and stampede.memory.
import { runScenario, emit } from '../lib/harness.mjs';
import { memorySubjects } from '../lib/memory-subjects.mjs';
import { object1kb, STRING_20 } from '../lib/payloads.mjs';

const KEYS = 1024; // a working set that fits every LRU; keys rotate so no subject gets one hot key
const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const strKeys = keys.map((k) => `${k}:s`);

const subjects = memorySubjects();
for (const s of subjects) {
  for (let i = 0; i < KEYS; i++) {
    await s.set(keys[i], object1kb(i));
    await s.set(strKeys[i], STRING_20);
  }
  // Sanity: every subject really hits, with the right value.
  const v = await s.get(keys[7]);
  if (v?.id !== 7) throw new Error(`${s.subject}: get-hit returned ${JSON.stringify(v)?.slice(0, 60)}`);
  if ((await s.remember(keys[7], () => 'miss')).id !== 7) throw new Error(`${s.subject}: remember missed`);
}

const M = KEYS - 1;
const rows = [];
rows.push(
  ...(await runScenario(
    'memory.get-hit.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.get(keys[i & M]) })),
  )),
);
rows.push(
  ...(await runScenario(
    'memory.get-hit.str',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.get(strKeys[i & M]) })),
  )),
);
const values = keys.map((_, i) => object1kb(i));
rows.push(
  ...(await runScenario(
    'memory.set.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.set(keys[i & M], values[i & M]) })),
  )),
);
const loader = () => {
  throw new Error('remember-hit must not run the loader');
};
rows.push(
  ...(await runScenario(
    'memory.remember-hit.1kb',
    subjects.map((s) => ({ subject: s.subject, op: (i) => s.remember(keys[i & M], loader) })),
  )),
);
for (const s of subjects) await s.close();
emit(rows);
