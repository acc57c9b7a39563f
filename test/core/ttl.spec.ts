import {
  CacheArgumentError,
  computeExpiry,
  computeExpiryMs,
  createCacheManager,
  parseTtl,
  remainingTtl,
  remainingTtlMs,
} from '../../src';
import { msLookingTtlWarning } from '../../src/core/ttl';

describe('parseTtl', () => {
  it.each([
    [1, 1000],
    [0.5, 500],
    [0.0001, 1],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    [' 5 s ', 5000],
  ])('parses %p as %p ms', (input, ms) => {
    expect(parseTtl(input)).toBe(ms);
  });

  it.each([0, -1, NaN, -Infinity, '0s', '', 'abc', '10 minutes', '1y', '-5s', 'ms'])('rejects %p', (input) => {
    expect(() => parseTtl(input)).toThrow(CacheArgumentError);
  });

  it('points to forever() for Infinity', () => {
    expect(() => parseTtl(Infinity)).toThrow(/forever\(\)/);
  });

  it('names the option in the message', () => {
    expect(() => parseTtl('soon', 'stores.mem.ttl')).toThrow(/stores\.mem\.ttl/);
  });

  it('rejects non-number, non-string input', () => {
    expect(() => parseTtl(null as never)).toThrow(/got null/);
    expect(() => parseTtl({} as never)).toThrow(CacheArgumentError);
  });

  it('rejects absurdly large TTLs', () => {
    expect(() => parseTtl(1e300)).toThrow(/too large/);
  });
});

describe('computeExpiry / remainingTtl', () => {
  it('computes and reads back expiry', () => {
    expect(computeExpiry(1000, 5000)).toBe(6000);
    expect(computeExpiry(undefined, 5000)).toBe(Infinity);
    expect(remainingTtl(6000, 5000)).toBe(1);
    expect(remainingTtl(Infinity, 5000)).toBe(Infinity);
    expect(remainingTtl(5000, 5000)).toBeUndefined();
  });
});

describe('units of the store-author helpers', () => {
  it('computeExpiryMs / remainingTtlMs speak milliseconds; remainingTtl answers seconds', () => {
    const now = 1_000_000;
    expect(computeExpiryMs(30_000, now)).toBe(1_030_000);
    expect(computeExpiryMs(undefined, now)).toBe(Infinity);
    expect(computeExpiry(30_000, now)).toBe(computeExpiryMs(30_000, now));
    expect(remainingTtlMs(1_030_000, now)).toBe(30_000);
    expect(remainingTtlMs(1_030_000, now + 0.4)).toBe(29_999); // whole ms, never more than was set
    expect(remainingTtlMs(1_030_000, 1_030_000)).toBeUndefined();
    expect(remainingTtlMs(Infinity, now)).toBe(Infinity);
    expect(remainingTtl(1_030_000, now)).toBe(30);
    expect(remainingTtl(Infinity, now)).toBe(Infinity);
    expect(remainingTtl(now, now)).toBeUndefined();
  });
});

describe('msLookingTtlWarning', () => {
  it('flags numbers >= 60,000 that are multiples of 1,000, naming the place and a duration string', () => {
    expect(msLookingTtlWarning(60_000, 'ttl')).toBe(
      "ttl: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string).",
    );
    expect(msLookingTtlWarning(90_000, 'stores.mem.ttl')).toBe(
      "stores.mem.ttl: 90000 is read as seconds (25 hours). If you meant 90000 ms, write '90s' (a duration string).",
    );
    expect(msLookingTtlWarning(604_800_000, 'ttl')).toContain("(7000 days). If you meant 604800000 ms, write '7d'");
  });

  it.each([59_000, 60_500, 3600, 86_400, '60000', '1m', undefined, Infinity])('leaves %p alone', (ttl) => {
    expect(msLookingTtlWarning(ttl, 'ttl')).toBeUndefined();
  });

  it('createCacheManager warns once per option path that looks like milliseconds', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), error: () => undefined };
    createCacheManager({
      logger,
      ttl: 60_000,
      stores: {
        mem: { driver: 'memory', ttl: 120_000 },
        ok: { driver: 'memory', ttl: 3600 },
        redis: { driver: 'memory' },
        near: { driver: 'tiered', tiers: ['mem', 'redis'], bus: false, l1Ttl: 300_000 },
      },
    });
    expect(warnings).toEqual([
      "ttl: 60000 is read as seconds (16.7 hours). If you meant 60000 ms, write '1m' (a duration string).",
      "stores.mem.ttl: 120000 is read as seconds (33.3 hours). If you meant 120000 ms, write '2m' (a duration string).",
      "stores.near.l1Ttl: 300000 is read as seconds (3.5 days). If you meant 300000 ms, write '5m' (a duration string).",
    ]);
  });
});
