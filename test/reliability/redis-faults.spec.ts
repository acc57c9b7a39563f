/**
 * Fault injection on a real redis-server under load from a separate process: killed (SIGKILL)
 * and restarted, paused (SIGSTOP) and resumed. The load process counts unhandled rejections,
 * wrong values and the slowest operation; it must never crash and must recover on its own.
 */
import { jest } from '@jest/globals';
import { RedisServer } from '../support/redis-server';
import { LoadProcess, sleep, type LoadFigures } from './fixtures/load-process';

jest.setTimeout(120_000);

/** Per-operation timeout of the store under test. */
const TIMEOUT = 300;
/**
 * Slowest acceptable operation: `remember` makes up to four store calls (read, tag versions,
 * write, tag check), each bounded by TIMEOUT, plus scheduling slack on a busy 2-core CI box.
 */
const BOUND = 4 * TIMEOUT + 1500;

let server: RedisServer;
let load: LoadProcess | undefined;
beforeEach(async () => {
  server = await RedisServer.start();
});
afterEach(async () => {
  if (load && load.child.exitCode === null) load.child.kill('SIGKILL');
  load = undefined;
  await server.stop();
});

/** RELIABILITY_FIGURES=1 prints the figures quoted in docs/reliability.md. */
function figures(label: string, f: LoadFigures): void {
  if (process.env.RELIABILITY_FIGURES === '1') {
    process.stdout.write(`${label}: ${JSON.stringify({ ...f, maxLatencyMs: Math.round(f.maxLatencyMs) })}\n`);
  }
}

function expectHealthy(f: LoadFigures): void {
  expect(f.unhandled).toBe(0);
  expect(f.wrong).toEqual([]);
}

describe('Redis faults under load', () => {
  it('killed (SIGKILL) then restarted: no crash, no wrong value, bounded waits, recovers on its own', async () => {
    load = await LoadProcess.start({ store: { driver: 'redis', url: server.url, timeout: TIMEOUT }, prefix: 'kill' });
    await load.progress(100);
    for (let round = 0; round < 2; round++) {
      await server.kill();
      load.resetLatency();
      await sleep(1500);
      const down = await load.report();
      figures(`redis killed, round ${round}`, down);
      expect(down.maxLatencyMs).toBeLessThan(BOUND);
      expect(Object.keys(down.errors)).toContain('CacheUnavailableError');
      await server.restart();
      // Recovery on its own: no reconnect call from the test, just more successful operations.
      const up = await load.progress(100);
      figures(`redis restarted, round ${round}: recovered after ${up.waitedMs} ms`, up);
      expectHealthy(up);
    }
    const final = await load.stop();
    figures('redis kill/restart final', final);
    expectHealthy(final);
    expect(final.okWrites).toBeGreaterThan(300);
  });

  it('paused (SIGSTOP) for 2 s: every operation ends within its timeout bound, then recovers', async () => {
    load = await LoadProcess.start({ store: { driver: 'redis', url: server.url, timeout: TIMEOUT }, prefix: 'pause' });
    await load.progress(100);
    server.pause(true);
    try {
      load.resetLatency();
      await sleep(2000);
      const paused = await load.report();
      figures('redis paused', paused);
      expect(paused.maxLatencyMs).toBeLessThan(BOUND);
      expect(paused.ops).toBeGreaterThan(0);
    } finally {
      server.pause(false);
    }
    const up = await load.progress(100);
    figures(`redis resumed: recovered after ${up.waitedMs} ms`, up);
    expectHealthy(up);
    load.resetLatency();
    await load.progress(100);
    expect((await load.report()).maxLatencyMs).toBeLessThan(BOUND);
    expectHealthy(await load.stop());
  });

  it('killed and restarted at once on the same port under load: recovers', async () => {
    load = await LoadProcess.start({ store: { driver: 'redis', url: server.url, timeout: TIMEOUT }, prefix: 'term' });
    await load.progress(100);
    await server.kill();
    await server.restart();
    expectHealthy(await load.progress(100));
    expectHealthy(await load.stop());
  });
});
