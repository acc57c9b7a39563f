/**
 * A child process for the lifecycle test: builds a Nest app with the cache (memory, file and,
 * when a URL is given, Redis stores), uses every store, closes the app and prints the resources
 * still active. Run as `node -r @swc-node/register test/nest/lifecycle-app.fixture.ts <json>`.
 * The parent expects this process to exit on its own: nothing may keep the event loop alive.
 */
import 'reflect-metadata';
import { createHook } from 'node:async_hooks';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheManager, CacheModule, type StoreConfig } from '../../src';

interface Options {
  redisUrl?: string;
  directory: string;
  /** Leak an interval on purpose (the test's negative controls); `'unref'` leaks an unref'd one. */
  leak?: boolean | 'unref';
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as Options;
  // (The stdout pipe is ours, so pipes are not watched.)
  // Timers and sockets created from here on, until destroyed (unref'd ones included, which
  // process.getActiveResourcesInfo() does not list).
  const live = new Map<number, string>();
  const watched = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'FSEVENTWRAP', 'STATWATCHER']);
  createHook({
    init: (id, type) => void (watched.has(type) && live.set(id, type)),
    destroy: (id) => void live.delete(id),
  }).enable();
  const stores: Record<string, StoreConfig> = {
    memory: { driver: 'memory', pruneInterval: 1000 },
    disk: { driver: 'file', directory: options.directory } as StoreConfig,
  };
  if (options.redisUrl) stores.redis = { driver: 'redis', url: options.redisUrl } as StoreConfig;

  @Module({ imports: [CacheModule.forRoot({ stores })] })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const manager = app.get(CacheManager);
  manager.on('*', () => undefined);
  for (const name of manager.stores()) {
    const cache = manager.store(name);
    await cache.set('k', { name });
    await cache.remember('r', '1m', () => 1, { lock: true });
    await cache.tags('t').set('tagged', 1);
    await cache.tags('t').flush();
    if (!(await manager.store(name).isHealthy())) throw new Error(`store ${name} is not healthy`);
  }
  await app.close();
  if (options.leak === true) setInterval(() => undefined, 1000);
  if (options.leak === 'unref') setInterval(() => undefined, 1000).unref();
  process.stdout.write(JSON.stringify({ closed: true }) + '\n');
  // When the loop has nothing left to do: what the app created and is still there would be an
  // unref'd timer or handle that close() forgot.
  process.once('beforeExit', () => {
    const left = [...live.values()];
    process.stdout.write(JSON.stringify({ left }) + '\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
  process.exitCode = 1;
});
