/**
 * The `logger` option is checked at start-up. `logger: false` (what `NestFactory.create` takes)
 * used to be accepted, and the first connection error of an unreachable Redis then called
 * `false.warn` from a connection event: an uncaught TypeError that ended the process.
 */
import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheConfigError, CacheModule, createCacheManager, type CacheManagerOptions } from '../../src';
import { freePort } from '../support/redis-server';

describe('the logger option', () => {
  it.each([
    ['false', false, /got false/],
    ['null', null, /got null/],
    ['an object without warn', { error: () => undefined }, /without them/],
    [
      'an object whose log is not a function',
      { warn: () => undefined, error: () => undefined, log: 1 },
      /without them/,
    ],
  ])('%s is a CacheConfigError naming "logger", before any store connects', async (_name, logger, message) => {
    // A Redis nobody listens on: with the old behaviour its connection error crashed the process.
    const port = await freePort();
    const options = {
      logger,
      stores: { r: { driver: 'redis', url: `redis://127.0.0.1:${port}` } },
    } as unknown as CacheManagerOptions;
    const err = (() => {
      try {
        void createCacheManager(options).close();
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CacheConfigError);
    expect((err as CacheConfigError).field).toBe('logger');
    expect((err as Error).message).toMatch(/Cache option "logger" must have warn\(message\) and error\(message\)/);
    expect((err as Error).message).toMatch(message);
  });

  it('CacheModule.forRoot({ logger: false }) fails start-up with the same error, naming the way to silence it', async () => {
    const port = await freePort();
    @Module({
      imports: [
        CacheModule.forRoot({
          logger: false as never,
          stores: { r: { driver: 'redis', url: `redis://127.0.0.1:${port}` } },
        }),
      ],
    })
    class AppModule {}
    const err = await Test.createTestingModule({ imports: [AppModule] })
      .compile()
      .then(async (m) => {
        await m.init();
        await m.close();
        return undefined;
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheConfigError);
    expect((err as Error).message).toContain('to silence the cache, pass { warn() {}, error() {} }');
  });

  it('a logger with warn and error (log optional) is used', async () => {
    const lines: string[] = [];
    const m = createCacheManager({
      logger: { warn: (l) => void lines.push(l), error: (l) => void lines.push(l) },
      stores: { a: { driver: 'memory', ttl: 120_000 } },
    });
    await m.close();
    expect(lines.join('\n')).toMatch(/stores\.a\.ttl/);
  });
});
