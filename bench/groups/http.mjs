// http.*: one Nest app per platform (Express, then Fastify: bench/groups/http-app.ts) in a child
// process, driven by autocannon from this process. Subjects: a constant route (`const`), a route
// cached by @nestjs/cache-manager's CacheInterceptor (`nestjs-cache-manager`) and one cached by
// our @Cacheable (`cachekit`), all returning the same ~1 KB JSON; and, in the same child, the bare
// framework without Nest sending those bytes from a string built once (`raw`: the ceiling of any
// Nest route on that framework). Rounds are interleaved with a rotating order within a platform;
// the row is the median req/s. Then stampede.http-50 (Express): 50 concurrent requests on a cold
// key, counting handler runs.
const { fetch } = globalThis; // Node 20 global (the lint config lists no fetch global)
import { config, emit, median, printRow } from '../lib/harness.mjs';
import { cannon, startHttpChild } from '../lib/http-child.mjs';
import { object1kb } from '../lib/payloads.mjs';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const ROUNDS = Math.max(3, config.rounds - 2);
const CONNECTIONS = 10;
const COLD_CALLERS = 50;
const COLD_TRIALS = 3;
const PLATFORMS = (process.env.BENCH_HTTP_PLATFORMS ?? 'express,fastify').split(',');

const expected = JSON.stringify(object1kb(1));

async function startApp(platform) {
  const app = await startHttpChild('http-app.ts', [platform], { label: `http app (${platform})` });
  return { base: app.url(''), rawBase: app.url('', app.ports.rawPort), close: app.close };
}

/** Requests per second to `url` over `seconds`. */
const requestsPerSecond = async (url, seconds) => {
  const result = await cannon(url, { connections: CONNECTIONS, duration: seconds });
  return result.requests.total / (result.duration || seconds);
};

async function throughput(platform, app) {
  const suffix = platform === 'express' ? '' : `.${platform}`;
  const subjects = [
    { scenario: `http.raw-${platform}`, subject: 'raw', url: `${app.rawBase}/raw` },
    { scenario: `http.const-route${suffix}`, subject: 'const', url: `${app.base}/const` },
    { scenario: `http.cached-route${suffix}`, subject: 'nestjs-cache-manager', url: `${app.base}/nest/cached` },
    { scenario: `http.cached-route${suffix}`, subject: 'cachekit', url: `${app.base}/kit/cached` },
  ];
  // Sanity: every route answers the same body (the cached ones after their first miss).
  for (const s of subjects) {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(s.url);
      const body = await res.text();
      if (res.status !== 200 || body !== expected) throw new Error(`${s.url}: ${res.status} ${body.slice(0, 80)}`);
      if (!/^application\/json/.test(res.headers.get('content-type') ?? ''))
        throw new Error(`${s.url}: content-type ${res.headers.get('content-type')}`);
    }
  }
  for (const s of subjects) await requestsPerSecond(s.url, 1); // warm-up: JIT, connection pools, cache filled
  const samples = subjects.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let n = 0; n < subjects.length; n++) {
      const idx = (n + r) % subjects.length;
      samples[idx].push(await requestsPerSecond(subjects[idx].url, SECONDS));
    }
  }
  return subjects.map((s, n) => {
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
}

// Cold misses: COLD_CALLERS concurrent requests on a key nobody asked for yet (a new query
// string per trial); the row keeps the worst trial.
async function stampede(app) {
  const rows = [];
  const handlerCalls = async () => (await fetch(`${app.base}/_calls`)).json();
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
        Array.from({ length: COLD_CALLERS }, () => fetch(`${app.base}${prefix}?n=${t}`).then((r) => r.json())),
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
  return rows;
}

const rows = [];
for (const platform of PLATFORMS) {
  const app = await startApp(platform);
  try {
    rows.push(...(await throughput(platform, app)));
    if (platform === 'express') rows.push(...(await stampede(app)));
  } finally {
    await app.close();
  }
}
emit(rows);
