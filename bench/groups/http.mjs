// http.*: one Nest app (Express, bench/groups/http-app.ts) in a child process, driven by
// autocannon from this process. Subjects: a constant route (`const`), a route cached by
// @nestjs/cache-manager's CacheInterceptor (`nestjs-cache-manager`) and one cached by our
// @Cacheable (`cachekit`), all returning the same ~1 KB JSON. Rounds are interleaved with a
// rotating order; the row is the median req/s. Then stampede.http-50: 50 concurrent requests on a
// cold key, counting handler runs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const { fetch } = globalThis; // Node 20 global (the lint config lists no fetch global)
import { config, emit, median, printRow } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const ROUNDS = Math.max(3, config.rounds - 2);
const CONNECTIONS = 10;
const COLD_CALLERS = 50;
const COLD_TRIALS = 3;

const root = fileURLToPath(new URL('../..', import.meta.url));
const child = fork(fileURLToPath(new URL('./http-app.ts', import.meta.url)), [], {
  cwd: root,
  execArgv: ['-r', '@swc-node/register'],
  env: { ...process.env, SWC_NODE_PROJECT: `${root}/tsconfig.json` },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise((resolve, reject) => {
  child.once('message', (m) => resolve(m.port));
  child.once('exit', (code) => reject(new Error(`http app exited with ${code} before listening`)));
});
const base = `http://127.0.0.1:${port}`;

const subjects = [
  { scenario: 'http.const-route', subject: 'const', path: '/const' },
  { scenario: 'http.cached-route', subject: 'nestjs-cache-manager', path: '/nest/cached' },
  { scenario: 'http.cached-route', subject: 'cachekit', path: '/kit/cached' },
];

// Sanity: every route answers the same body (the cached ones after their first miss).
const expected = JSON.stringify(object1kb(1));
for (const s of subjects) {
  for (let i = 0; i < 2; i++) {
    const res = await fetch(base + s.path);
    const body = await res.text();
    if (res.status !== 200 || body !== expected) throw new Error(`${s.path}: ${res.status} ${body.slice(0, 80)}`);
  }
}

const cannon = (path, seconds) =>
  new Promise((resolve, reject) => {
    autocannon({ url: base + path, connections: CONNECTIONS, duration: seconds }, (err, result) => {
      if (err) return reject(err);
      if (result.non2xx || result.errors)
        reject(new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      else resolve(result.requests.total / (result.duration || seconds));
    });
  });

for (const s of subjects) await cannon(s.path, 1); // warm-up: JIT, connection pools, cache filled
const samples = subjects.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let n = 0; n < subjects.length; n++) {
    const idx = (n + r) % subjects.length;
    samples[idx].push(await cannon(subjects[idx].path, SECONDS));
  }
}
const rows = subjects.map((s, n) => {
  const row = {
    scenario: s.scenario,
    subject: s.subject,
    opsPerSec: Math.round(median(samples[n])),
    min: Math.round(Math.min(...samples[n])),
    max: Math.round(Math.max(...samples[n])),
    unit: 'req/s',
    rounds: ROUNDS,
    connections: CONNECTIONS,
  };
  printRow(row);
  return row;
});

// Cold misses: COLD_CALLERS concurrent requests on a key nobody asked for yet (a new query
// string per trial); the row keeps the worst trial.
const handlerCalls = async () => (await fetch(`${base}/_calls`)).json();
for (const [subject, prefix] of [
  ['nestjs-cache-manager', '/nest/cold'],
  ['cachekit', '/kit/cold'],
]) {
  let worst = 0;
  let ms = 0;
  for (let t = 0; t < COLD_TRIALS; t++) {
    const before = (await handlerCalls())[subject];
    const start = performance.now();
    const responses = await Promise.all(
      Array.from({ length: COLD_CALLERS }, () => fetch(`${base}${prefix}?n=${t}`).then((r) => r.json())),
    );
    ms = Math.max(ms, performance.now() - start);
    if (responses.some((b) => b.id !== 1)) throw new Error(`${prefix}: wrong body under cold misses`);
    worst = Math.max(worst, (await handlerCalls())[subject] - before);
  }
  const row = {
    scenario: 'stampede.http-50',
    subject,
    loaderCalls: worst,
    callers: COLD_CALLERS,
    trials: COLD_TRIALS,
    ms: Math.round(ms),
  };
  printRow(row);
  rows.push(row);
}

child.send('close');
await new Promise((r) => child.once('exit', r));
emit(rows);
