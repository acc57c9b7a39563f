/**
 * Outages of the real server under load: the store's own connections (found by their
 * application_name; the database is shared) are killed with pg_terminate_backend again and
 * again while requests run. No unhandled rejection, reads and remember fail open, and the same
 * store recovers on its own. Each test in its own schema, dropped afterwards.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createCacheManager, type CacheManager } from '../../../src';
import { appName, dropSchema, schemaName, terminateBackends } from '../../support/postgres';

jest.setTimeout(60_000);

let schema: string;
let unhandled: unknown[];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  schema = schemaName('fault');
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  await dropSchema(schema);
});

describe('postgres store under connection kills', () => {
  it('keeps serving (fail open) while its connections are terminated, then recovers without restart', async () => {
    const name = appName('fault');
    const logged: string[] = [];
    const manager: CacheManager = createCacheManager({
      prefix: `f${randomBytes(3).toString('hex')}`,
      logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
      stores: {
        pg: {
          driver: 'postgres',
          url: 'postgres://postgres:s3cret@127.0.0.1:5432/test',
          schema,
          timeout: 2000,
          options: { max: 4, application_name: name },
        },
      },
    });
    await manager.ready();
    const cache = manager.default;
    const stats = { reads: 0, readErrors: 0, remembers: 0, rememberErrors: 0, writes: 0, writeErrors: 0, kills: 0 };
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const key = `k${(w * 7 + i) % 50}`;
        await cache.set(key, { w, i }).then(
          () => stats.writes++,
          () => stats.writeErrors++,
        );
        await cache.get(key).then(
          () => stats.reads++,
          () => stats.readErrors++,
        );
        await cache.getMany([key, 'k1', 'k2']).then(
          () => stats.reads++,
          () => stats.readErrors++,
        );
        await cache
          .remember(`r${i % 20}`, 60, async () => i)
          .then(
            () => stats.remembers++,
            () => stats.rememberErrors++,
          );
      }
    };
    const load = Array.from({ length: 12 }, (_, w) => worker(w));
    for (let round = 0; round < 8; round++) {
      await new Promise((r) => setTimeout(r, 250));
      stats.kills += await terminateBackends(name);
    }
    stop = true;
    await Promise.all(load);
    expect(stats.kills).toBeGreaterThan(0);
    expect(stats.readErrors).toBe(0); // reads fail open: a miss, never an error
    expect(stats.rememberErrors).toBe(0); // the loader runs when the store cannot answer
    expect(stats.reads).toBeGreaterThan(0);
    // Recovery: the same store works again on its own.
    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      healthy = (await manager.health()).pg.status === 'up';
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy).toBe(true);
    await cache.set('after', 'ok');
    expect(await cache.get('after')).toBe('ok');
    expect(await cache.increment('n')).toBe(1);
    await manager.close();
    expect(unhandled).toEqual([]);
    expect(logged.join('\n')).not.toContain('s3cret');
  });
});
