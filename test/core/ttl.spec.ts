import { CacheArgumentError, computeExpiry, parseTtl, remainingTtl } from '../../src';

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
