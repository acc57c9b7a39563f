/**
 * The Postgres store across real processes: counters exact, a tag flushed by one process gone
 * in two others, `remember({ lock: true })` running its loader once among three, and a lock
 * held by a SIGKILLed process freed after its TTL. Each test in its own schema, dropped after.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createCacheManager, type CacheManager } from '../../../src';
import { startPgWorker } from '../../fixtures/postgres-spawn';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';

/** Child processes start a TypeScript loader: give them time on a busy CI machine. */
jest.setTimeout(90_000);

const quiet = { warn: () => undefined, error: () => undefined };
let schema: string;
let namespace: string;
let manager: CacheManager;

beforeEach(async () => {
  schema = schemaName('proc');
  namespace = `proc-${randomBytes(4).toString('hex')}`;
  manager = createCacheManager({
    prefix: namespace,
    logger: quiet,
    stores: { pg: { driver: 'postgres', url: PG_URL, schema, options: { max: 2 } } },
  });
  await manager.ready();
});
afterEach(async () => {
  await manager.close();
  await dropSchema(schema);
});

const worker = (cmd: Record<string, unknown>) => startPgWorker({ url: PG_URL, schema, namespace, ...cmd });

describe('postgres store across processes', () => {
  it('4 processes × 1,000 increments of one counter end exactly at 4,000', async () => {
    const runs = [1, 2, 3, 4].map(() => worker({ op: 'increment', key: 'hits', count: 1000, parties: 4 }));
    const results = (await Promise.all(runs.map((r) => r.result))) as { last: number }[];
    expect(await manager.default.get('hits')).toBe(4000);
    expect(Math.max(...results.map((r) => r.last))).toBe(4000);
  });

  it('a tag flushed in one process is gone in the process that wrote it and in a third one', async () => {
    const [writer, flusher, reader] = (await Promise.all(
      ['tag-writer', 'tag-flush', 'tag-read'].map((op) => worker({ op }).result),
    )) as Record<string, unknown>[];
    expect(writer.before).toEqual({ user1: { name: 'Ada' }, plain: 'untagged' });
    expect(flusher.flushed).toBe(true);
    const gone = {
      user1: null,
      user1Has: false,
      user1Ttl: null,
      user2: { name: 'Bob' },
      plain: 'untagged',
      many: { 'user:1': null, 'user:2': { name: 'Bob' }, plain: 'untagged' },
    };
    expect(writer.after).toEqual(gone);
    expect(reader.after).toEqual(gone);
    expect(await manager.default.get('user:1')).toBeUndefined();
  });

  it('three processes remembering one cold key with lock: true run the loader once in total', async () => {
    const cmd = { op: 'remember-lock', parties: 3, loaderMs: 300 };
    const results = (await Promise.all([1, 2, 3].map(() => worker(cmd).result))) as Record<string, unknown>[];
    expect(await manager.default.get('loads')).toBe(1);
    expect(results.reduce((sum, r) => sum + (r.loaderRuns as number), 0)).toBe(1);
    const loaderPid = results.find((r) => r.loaderRuns === 1)!.pid;
    for (const r of results) expect(r.value).toEqual({ pid: loaderPid, loads: 1 });
  });

  it('a lock held by a SIGKILLed process is free again after its TTL', async () => {
    const holder = worker({ op: 'hold-lock', key: 'report', lockTtl: '3s' });
    await holder.printed('holding');
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('close', r));
    const cache = manager.default;
    const leaseKey = `${namespace}:\u0000l:report`;
    // Right after the kill the lease is still held: nobody else can take it.
    expect(await cache.driver.acquireLock!(leaseKey, 'someone-else', 1000)).toBe(false);
    // Then it expires (3 s after the holder's last renewal; bounded generously, never timed).
    let freed = false;
    for (let i = 0; i < 300 && !freed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      freed = await cache.driver.acquireLock!(leaseKey, 'someone-else', 1000);
    }
    expect(freed).toBe(true);
    await cache.driver.releaseLock!(leaseKey, 'someone-else');
    // And remember with lock: true takes it and loads.
    expect(await cache.remember('report', 60, async () => 'built', { lock: true, lockTimeout: '30s' })).toBe('built');
    expect(await cache.get('report')).toBe('built');
  });
});
