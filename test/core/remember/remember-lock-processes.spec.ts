/**
 * Issue 5 across processes, on Redis and on the file store: `remember` with `lock: true` runs
 * its loader once in total among three processes, and a tag flushed in one process is gone in
 * the others. The child processes run test/fixtures/cache-commands.ts through the Redis and
 * file workers; they coordinate through keys of the shared cache.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type StoreConfig } from '../../../src';
import { startWorker } from '../../fixtures/file-spawn';
import { runRedisWorker } from '../../fixtures/redis-spawn';
import { RedisServer } from '../../support/redis-server';

/** Child processes start a TypeScript loader: give them time on a busy CI machine. */
jest.setTimeout(60_000);

const quiet = { warn: () => undefined, error: () => undefined };
let server: RedisServer;
let dir: string;
let run = 0;

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachekit-lock-proc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Backend {
  name: string;
  store(): StoreConfig;
  worker(command: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const backends: Backend[] = [
  {
    name: 'redis',
    store: () => ({ driver: 'redis', url: server.url }),
    worker: (command) => runRedisWorker({ ...command, url: server.url }),
  },
  {
    name: 'file',
    store: () => ({ driver: 'file', directory: dir, pruneInterval: 0 }),
    worker: (command) => startWorker({ ...command, directory: dir }).result,
  },
];

describe.each(backends)('$name store across processes', (backend) => {
  /** A fresh namespace per test, shared by the parent and its workers. */
  let namespace: string;
  let manager: ReturnType<typeof createCacheManager>;
  beforeEach(async () => {
    namespace = `lockproc${++run}`;
    manager = createCacheManager({ prefix: namespace, logger: quiet, stores: { s: backend.store() } });
    await manager.ready();
  });
  afterEach(async () => {
    await manager.default.clear();
    await manager.close();
  });

  it('three processes remembering one cold key with lock: true run the loader once in total', async () => {
    const cmd = { op: 'remember-lock', namespace, parties: 3, loaderMs: 300 };
    const results = await Promise.all([1, 2, 3].map(() => backend.worker(cmd)));
    const cache = manager.default;
    expect(await cache.get('barrier')).toBe(3);
    expect(await cache.get('loads')).toBe(1);
    expect(results.reduce((sum, r) => sum + (r.loaderRuns as number), 0)).toBe(1);
    // Every process got the value of the one that loaded, which is also what is cached.
    const loaderPid = results.find((r) => r.loaderRuns === 1)!.pid;
    for (const r of results) expect(r.value).toEqual({ pid: loaderPid, loads: 1 });
    expect(await cache.get('k')).toEqual({ pid: loaderPid, loads: 1 });
  });

  it('tags flushed in one process are gone in the process that wrote them and in a third one', async () => {
    // A writes and waits for "flushed"; B waits for "written" and flushes; C waits for "flushed".
    const [writer, flusher, reader] = await Promise.all(
      ['tag-writer', 'tag-flush', 'tag-read'].map((op) => backend.worker({ op, namespace })),
    );
    expect(writer.before).toEqual({ user1: { name: 'Ada' }, plain: 'untagged' });
    expect(flusher.flushed).toBe(true);
    const gone = {
      user1: null,
      user1Has: false,
      user1Ttl: null,
      user2: { name: 'Bob' }, // tagged 'users' only: not flushed
      plain: 'untagged',
      many: { 'user:1': null, 'user:2': { name: 'Bob' }, plain: 'untagged' },
    };
    expect(writer.after).toEqual(gone);
    expect(reader.after).toEqual(gone);
    const cache = manager.default;
    expect(await cache.get('user:1')).toBeUndefined();
    expect(await cache.has('user:1')).toBe(false);
    expect(await cache.get('plain')).toBe('untagged');
  });
});
