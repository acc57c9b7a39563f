// Server CPU per request of the http group's routes, one or two versions of src/ side by side:
//   node bench/lib/_http-cpu.mjs <abs src A> [abs src B]
// One app per src (bench/groups/http-app.ts, BENCH_HTTP_PLATFORMS: express), autocannon from this
// process sends BENCH_HTTP_REQUESTS (20,000) requests per route and round over 10 connections;
// the child's own process.cpuUsage() (user + system) before and after gives µs per request, so
// time the server spends descheduled does not count. BENCH_HTTP_ROUNDS (8) interleaved rounds,
// rotating order; prints per route the median µs and, per app, the median of the per-round
// ratios const / cached (how many cached requests one constant request's CPU pays for).
import { median } from './harness.mjs';
import { startHttpChild } from './http-child.mjs';

const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 8);
const PLATFORM = process.env.BENCH_HTTP_PLATFORMS ?? 'express';
const srcs = process.argv.slice(2);
if (!srcs.length) throw new Error('usage: _http-cpu.mjs <abs src A> [abs src B]');

async function start(src) {
  const app = await startHttpChild('http-app.ts', [PLATFORM, src], {
    label: `app (${src})`,
    execArgv: process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean),
  });
  return {
    src,
    cpuPerRequest: (path, amount) => app.cpuPerRequest(app.url(path), amount),
    close: app.close,
  };
}

const routes = ['/const', '/kit/cached', '/nest/cached'];
const apps = [];
try {
  for (const src of srcs) apps.push(await start(src));
  const cells = apps.flatMap((app) => routes.map((route) => ({ app, route, us: [] })));
  for (const c of cells) await c.app.cpuPerRequest(c.route, REQUESTS / 2); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (let n = 0; n < cells.length; n++) {
      const c = cells[(n + r) % cells.length];
      c.us.push(await c.app.cpuPerRequest(c.route, REQUESTS));
    }
  const f = (x) => x.toFixed(1);
  for (const c of cells)
    console.log(
      `${c.app.src}  ${c.route.padEnd(13)} ${f(median(c.us))} µs [${f(Math.min(...c.us))} – ${f(Math.max(...c.us))}]`,
    );
  for (const app of apps) {
    const [k, n, m] = routes.map((route) => cells.find((c) => c.app === app && c.route === route).us);
    const ratios = (a, b) => a.map((x, i) => x / b[i]);
    const show = (xs) => `${median(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)} – ${Math.max(...xs).toFixed(3)}]`;
    console.log(`${app.src}  const/cachekit ${show(ratios(k, n))}  nest-cache-manager/cachekit ${show(ratios(m, n))}`);
  }
} finally {
  await Promise.all(apps.map((a) => a.close()));
}
