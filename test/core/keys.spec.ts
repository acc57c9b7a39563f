import { CacheArgumentError, MAX_KEY_BYTES, normalizeKey } from '../../src';

describe('normalizeKey', () => {
  it('joins the namespace with a colon', () => {
    expect(normalizeKey('user:1', 'shop')).toBe('shop:user:1');
    expect(normalizeKey('user:1')).toBe('user:1');
  });

  it('keeps Unicode, spaces and path-like keys as they are', () => {
    expect(normalizeKey('../ a/ключ', 'ns')).toBe('ns:../ a/ключ');
  });

  it('escapes a leading NUL so user keys never collide with internal keys', () => {
    expect(normalizeKey('\u0000t:x', 'ns')).toBe('ns:\u0000\u0000t:x');
  });

  it('hashes over-long keys deterministically', () => {
    const long = 'k'.repeat(MAX_KEY_BYTES + 1);
    const a = normalizeKey(long, 'ns');
    expect(a).toBe(normalizeKey(long, 'ns'));
    expect(a.length).toBeLessThan(100);
    expect(a).not.toBe(normalizeKey(long + 'x', 'ns'));
    // Multi-byte characters count in bytes, not UTF-16 units.
    const wide = 'я'.repeat(600);
    expect(normalizeKey(wide, '')).not.toBe(wide);
    expect(normalizeKey('я'.repeat(300), '')).toBe('я'.repeat(300));
  });

  it.each([[''], [undefined], [null], [42], [{}]])('rejects %p with a CacheArgumentError', (key) => {
    expect(() => normalizeKey(key as never, 'ns')).toThrow(CacheArgumentError);
  });
});
