// stampede.*: 1,000 concurrent misses for one key; how many times does the loader run?
// Every subject uses its library's "get or compute" call (remember / wrap / getOrSet / fetch).
import { LRUCache } from 'lru-cache';
import { emit, sleep } from '../lib/harness.mjs';
import { memorySubjects } from '../lib/memory-subjects.mjs';
import { object1kb } from '../lib/payloads.mjs';

const CALLERS = 1000;
const LOADER_MS = 20;

/** Fires CALLERS concurrent remember-style calls at a cold key; returns the row. */
export async function stampede(scenario, subject, remember) {
  let calls = 0;
  const loader = async () => {
    calls++;
    await sleep(LOADER_MS);
    return object1kb(1);
  };
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: CALLERS }, () => remember('stampede:key', loader)));
  const ms = performance.now() - start;
  const wrong = results.filter((r) => r?.id !== 1).length;
  const row = { scenario, subject, loaderCalls: calls, callers: CALLERS, ms: Math.round(ms), wrongResults: wrong };
  console.log(
    `  ${scenario.padEnd(28)} ${subject.padEnd(22)} loaderCalls=${calls}/${CALLERS}  ${row.ms} ms${wrong ? `  WRONG RESULTS: ${wrong}` : ''}`,
  );
  return row;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = [];
  for (const s of memorySubjects()) {
    let remember = s.remember;
    if (s.subject === 'lru-cache') {
      // lru-cache's own de-duplicating call: fetch() with a fetchMethod.
      const lru = new LRUCache({ max: 100, fetchMethod: (_k, _stale, { context }) => context() });
      remember = (k, loader) => lru.fetch(k, { context: loader });
    }
    rows.push(await stampede('stampede.memory', s.subject, remember));
    await s.close();
  }
  emit(rows);
}
