// Measurement: warm-up, then several timed rounds per subject, interleaved round-robin so that
// machine noise (2 shared cores) hits every subject alike; the row is the median of the rounds.
import { writeFileSync } from 'node:fs';

/** Tunables, overridable from the environment for quick runs (`BENCH_ROUNDS=3 BENCH_ROUND_MS=200`). */
export const config = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  roundMs: Number(process.env.BENCH_ROUND_MS ?? 400),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 400),
};

const BATCH = 32;

/** Runs `op(i)` sequentially (each awaited) for about `ms`; returns operations per second. */
export async function timed(op, ms) {
  let i = 0;
  const start = performance.now();
  const end = start + ms;
  let now;
  do {
    for (let j = 0; j < BATCH; j++) await op(i++);
    now = performance.now();
  } while (now < end);
  return (i * 1000) / (now - start);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Benchmarks one scenario over several subjects.
 * @param scenario  row name, e.g. `memory.get-hit.1kb`
 * @param subjects  `[{ subject, op }]` where `op(i)` does one operation (prepared beforehand)
 * @param perOp     units per op (100 for getMany(100) reported in keys/s)
 */
export async function runScenario(scenario, subjects, { perOp = 1, unit = 'ops/s', rounds, roundMs, warmupMs } = {}) {
  rounds ??= config.rounds;
  roundMs ??= config.roundMs;
  warmupMs ??= config.warmupMs;
  const samples = subjects.map(() => []);
  for (const s of subjects) await timed(s.op, warmupMs);
  for (let r = 0; r < rounds; r++) {
    for (let n = 0; n < subjects.length; n++) {
      const idx = (n + r) % subjects.length; // rotate the order every round
      samples[idx].push((await timed(subjects[idx].op, roundMs)) * perOp);
    }
  }
  const rows = subjects.map((s, n) => ({
    scenario,
    subject: s.subject,
    opsPerSec: Math.round(median(samples[n])),
    min: Math.round(Math.min(...samples[n])),
    max: Math.round(Math.max(...samples[n])),
    unit,
    rounds,
  }));
  for (const row of rows) printRow(row);
  return rows;
}

export function printRow(row) {
  const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
  const extra =
    row.loaderCalls !== undefined
      ? `loaderCalls=${row.loaderCalls}`
      : row.bytesPerEntry !== undefined
        ? `${row.bytesPerEntry} B/entry RSS, ${row.heapBytesPerEntry} B/entry heap`
        : `${fmt(row.opsPerSec)} ${row.unit}  [${fmt(row.min)} – ${fmt(row.max)}]${row.ratio !== undefined ? `  ${row.ratio}×` : ''}`;
  console.log(`  ${row.scenario.padEnd(28)} ${row.subject.padEnd(22)} ${extra}`);
}

/** Group processes hand their rows to the runner through the file named by BENCH_OUT. */
export function emit(rows, skipped = []) {
  const out = process.env.BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify({ rows, skipped }));
}

export function skip(skipped, what, why) {
  console.log(`  ${what}: skipped: ${why}`);
  skipped.push({ what, why });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
