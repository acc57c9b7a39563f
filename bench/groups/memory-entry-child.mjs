// One subject per process: bytes per entry (RSS and heap) for 1,000,000 small entries.
// Usage: node --expose-gc memory-entry-child.mjs <subject>   → prints one JSON line.
import { memorySubjects } from '../lib/memory-subjects.mjs';

const N = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const name = process.argv[2];

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage();
};

// The baseline is taken before the cache exists (preallocated structures count), and keys are
// built on the fly, as an app computes them: what stays alive is what the cache keeps.
const before = await settle();
const subject = memorySubjects({ maxEntries: N, only: name })[0];
if (!subject) throw new Error(`unknown subject ${name}`);
for (let i = 0; i < N; i++) await subject.set(`user:${i}`, i);
const after = await settle();
if ((await subject.get(`user:${N - 1}`)) !== N - 1) throw new Error(`${name}: last entry missing`);
console.log(
  JSON.stringify({
    bytesPerEntry: Math.round((after.rss - before.rss) / N),
    heapBytesPerEntry: Math.round((after.heapUsed - before.heapUsed) / N),
  }),
);
await subject.close();
process.exit(0);
