// An invalid Date (`new Date(NaN)`) is a Date like any other: every store gives back an invalid
// Date, never the epoch (1970-01-01), which is what the text stores read before the fix.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSerializer, type CacheManagerOptions } from '../../src';
import { RedisServer } from '../support/redis-server';
import { withManager } from '../support/with-manager';

let server: RedisServer;
let dir: string;

beforeAll(async () => {
  server = await RedisServer.start();
  dir = mkdtempSync(join(tmpdir(), 'cachekit-invalid-date-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function expectInvalidDate(value: unknown): void {
  expect(value).toBeInstanceOf(Date);
  expect(Number.isNaN((value as Date).getTime())).toBe(true);
}

describe('an invalid Date', () => {
  it('round-trips through defaultSerializer, alone and nested', () => {
    expectInvalidDate(defaultSerializer.deserialize(defaultSerializer.serialize(new Date(NaN), 'k'), 'k'));
    const back = defaultSerializer.deserialize(
      defaultSerializer.serialize({ at: new Date(NaN), ok: new Date(5), list: [new Date(NaN)] }, 'k'),
      'k',
    ) as { at: Date; ok: Date; list: Date[] };
    expectInvalidDate(back.at);
    expectInvalidDate(back.list[0]);
    expect(back.ok).toEqual(new Date(5));
  });

  it.each(['mem', 'disk', 'redis', 'near'])('round-trips through the %s store', async (name) => {
    const options: CacheManagerOptions = {
      prefix: 'invalid-date',
      stores: {
        mem: { driver: 'memory' },
        disk: { driver: 'file', directory: dir },
        redis: { driver: 'redis', url: `redis://127.0.0.1:${server.port}` },
        near: { driver: 'tiered', tiers: ['mem', 'redis'], prefix: 'near' },
      },
    };
    await withManager(options, async (writer) => {
      await writer.store(name).set('when', { at: new Date(NaN) });
      // A second manager reads what the backend holds (for memory: the same manager's copy).
      await withManager(options, async (reader) => {
        const from = name === 'mem' ? writer : reader;
        expectInvalidDate(((await from.store(name).get('when')) as { at: unknown }).at);
      });
      await writer.store(name).clear();
    });
  });
});
