// http.module-cost.*: what importing CacheModule costs a route it does not cache, in server CPU
// time per request. One child process per platform and variant (bench/groups/http-module-app.ts):
// `none` (no CacheModule), `cachekit` (CacheModule, no memo), `cachekit+memo` (a provider holds
// cache.memo(), so each request opens a memo scope). autocannon from this process sends a fixed
// number of requests to GET /const; the child's own process.cpuUsage() (user + system) before and
// after gives µs per request, so time the server spends descheduled does not count. Rounds are
// interleaved with a rotating order; each row is the median over rounds, with the median of the
// per-round ratios to `none` (same round, same machine state).
// BENCH_HTTP_COMPARE_SRC=<dir of another src/> adds `cachekit@compare` and `cachekit+memo@compare`
// from that copy, for a before/after within one run.
import { emit, median, printRow } from '../lib/harness.mjs';
import { startHttpChild } from '../lib/http-child.mjs';

const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 6);
const CONNECTIONS = 10;
const PLATFORMS = (process.env.BENCH_HTTP_PLATFORMS ?? 'express,fastify').split(',');
const COMPARE = process.env.BENCH_HTTP_COMPARE_SRC;

const variants = [
  { subject: 'none', variant: 'none' },
  { subject: 'cachekit', variant: 'cachekit' },
  { subject: 'cachekit+memo', variant: 'cachekit+memo' },
  ...(COMPARE
    ? [
        { subject: 'cachekit@compare', variant: 'cachekit', src: COMPARE },
        { subject: 'cachekit+memo@compare', variant: 'cachekit+memo', src: COMPARE },
      ]
    : []),
];

async function start(platform, v) {
  const args = [platform, v.variant, ...(v.src ? [v.src] : [])];
  const app = await startHttpChild('http-module-app.ts', args, { label: `${platform}/${v.subject}` });
  const url = app.url('/const');
  return { url, cpuPerRequest: (amount) => app.cpuPerRequest(url, amount, CONNECTIONS), close: app.close };
}

const rows = [];
for (const platform of PLATFORMS) {
  const apps = [];
  try {
    for (const v of variants) apps.push(await start(platform, v));
    for (const app of apps) await app.cpuPerRequest(REQUESTS / 2); // warm-up: JIT, connections
    const samples = variants.map(() => []);
    const ratios = variants.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      const round = [];
      for (let n = 0; n < apps.length; n++) {
        const i = (n + r) % apps.length;
        round[i] = await apps[i].cpuPerRequest(REQUESTS);
      }
      round.forEach((us, i) => (samples[i].push(us), ratios[i].push(us / round[0])));
    }
    variants.forEach((v, i) => {
      const row = {
        scenario: `http.module-cost.${platform}`,
        subject: v.subject,
        cpuUsPerRequest: Math.round(median(samples[i]) * 10) / 10,
        minUs: Math.round(Math.min(...samples[i]) * 10) / 10,
        maxUs: Math.round(Math.max(...samples[i]) * 10) / 10,
        ratioToNone: Math.round(median(ratios[i]) * 1000) / 1000,
        ratioRange: [Math.min(...ratios[i]), Math.max(...ratios[i])].map((x) => Math.round(x * 1000) / 1000),
        unit: 'µs CPU/req',
        rounds: ROUNDS,
        requests: REQUESTS,
      };
      console.log(
        `  ${row.scenario.padEnd(28)} ${row.subject.padEnd(22)} ${row.cpuUsPerRequest} µs CPU/req [${row.minUs} – ${row.maxUs}]  ${row.ratioToNone}× none [${row.ratioRange.join(' – ')}]`,
      );
      rows.push(row);
    });
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
}
void printRow;
emit(rows);
