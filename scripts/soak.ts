/**
 * Soak test (not in CI): mixed load on a Redis-backed cache while the redis-server is killed and
 * restarted every minute. Prints operations, errors by kind, latency percentiles and lost writes
 * (writes acknowledged after the last restart that cannot be read back: must be 0).
 *
 *   npm run soak                                   # 10 minutes, restart every 60 s
 *   SOAK_SECONDS=60 SOAK_RESTART_SECONDS=15 npm run soak
 *
 * Starts its own redis-server on a free loopback port (redis-server must be on PATH).
 */
import { createCacheManager } from '../src';
import { RedisServer } from '../test/support/redis-server';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RESTART_SECONDS = Number(process.env.SOAK_RESTART_SECONDS ?? 60);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 8);
const DOWN_MS = 1000;
const TIMEOUT = 500;

/** Latency histogram in 0.1 ms buckets up to 10 s (the last bucket holds the rest). */
const buckets = new Uint32Array(100_001);
let maxLatency = 0;
function record(ms: number): void {
  buckets[Math.min(buckets.length - 1, Math.floor(ms * 10))]++;
  if (ms > maxLatency) maxLatency = ms;
}
function percentile(p: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= total * p) return i / 10;
  }
  return maxLatency;
}

const errors: Record<string, number> = {};
let ops = 0;
let unhandled = 0;
let wrong = 0;
process.on('unhandledRejection', () => unhandled++);

/** Writes acknowledged since the last restart: key → value. Reset on every restart. */
let ledger = new Map<string, number>();
let epoch = 0;
let seq = 0;

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const logged: string[] = [];
  const manager = createCacheManager({
    prefix: 'soak',
    logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    stores: { redis: { driver: 'redis', url: server.url, timeout: TIMEOUT } },
  });
  await manager.ready();
  const cache = manager.default;
  const deadline = Date.now() + SECONDS * 1000;
  let running = true;
  const restarts: { at: number; recoveredMs?: number }[] = [];

  async function worker(id: number): Promise<void> {
    while (running) {
      const n = seq++;
      const myEpoch = epoch;
      const key = `w${id}:${n}`;
      const started = performance.now();
      try {
        switch (n % 6) {
          case 0:
          case 1: {
            if ((await cache.set(key, n, '1h')) && myEpoch === epoch) ledger.set(key, n);
            break;
          }
          case 2: {
            const hot = `hot:${n % 50}`;
            const v = await cache.remember(hot, '1h', () => ({ hot, n }));
            if ((v as { hot: string }).hot !== hot) wrong++;
            break;
          }
          case 3:
            await cache.increment(`ctr:${n % 10}`);
            break;
          case 4:
            await cache.tags([`t${n % 5}`]).set(`tagged:${n % 100}`, { n });
            break;
          case 5:
            if (n % 60 === 5) await cache.tags([`t${n % 5}`]).flush();
            else await cache.get(`hot:${n % 50}`);
            break;
        }
      } catch (err) {
        const kind = (err as Error).constructor?.name ?? 'Unknown';
        errors[kind] = (errors[kind] ?? 0) + 1;
      }
      ops++;
      record(performance.now() - started);
      await new Promise((r) => setImmediate(r));
    }
  }

  async function chaos(): Promise<void> {
    let next = Date.now() + RESTART_SECONDS * 1000;
    while (next + DOWN_MS < deadline) {
      await sleep(next - Date.now());
      await server.kill();
      epoch++;
      ledger = new Map();
      const at = Date.now();
      await sleep(DOWN_MS);
      await server.restart();
      const restart: { at: number; recoveredMs?: number } = { at };
      restarts.push(restart);
      // Recovery: the first write acknowledged after the restart.
      void (async () => {
        for (let i = 0; i < 600 && restart.recoveredMs === undefined; i++) {
          if (await cache.set('probe', i)) restart.recoveredMs = Date.now() - at;
          else await sleep(50);
        }
      })();
      next += RESTART_SECONDS * 1000;
    }
  }

  const progress = setInterval(() => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    process.stdout.write(
      `  ${ops} ops, errors ${JSON.stringify(errors)}, ${restarts.length} restarts, ${left}s left\n`,
    );
  }, 10_000);
  const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  await chaos();
  await sleep(deadline - Date.now());
  running = false;
  await load;
  clearInterval(progress);

  // Lost writes: acknowledged after the last restart but not readable now.
  let lost = 0;
  const entries = [...ledger.entries()];
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500);
    const got = await cache.getMany<number>(batch.map(([k]) => k));
    for (const [k, v] of batch) if (got[k] !== v) lost++;
  }
  await manager.close();
  await server.stop();

  const report = {
    seconds: SECONDS,
    operations: ops,
    opsPerSecond: Math.round(ops / SECONDS),
    errorsByKind: errors,
    latencyMs: { p50: percentile(0.5), p99: percentile(0.99), p999: percentile(0.999), max: Math.round(maxLatency) },
    restarts: restarts.length,
    recoveryMs: restarts.map((r) => r.recoveredMs ?? null),
    writesCheckedAfterLastRestart: entries.length,
    lostWrites: lost,
    wrongValues: wrong,
    unhandledRejections: unhandled,
    loggedLines: logged.length,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (lost > 0 || wrong > 0 || unhandled > 0) process.exitCode = 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
