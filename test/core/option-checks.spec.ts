import { CacheConfigError } from '../../src';
import { closestKey, OptionChecks, storeOptionChecks } from '../../src/core/option-checks';

describe('option checks', () => {
  it('suggests the closest known key for plausible typos only', () => {
    const known = ['default', 'prefix', 'ttl', 'stores', 'logger', 'clock'];
    expect(closestKey('store', known)).toBe('stores');
    expect(closestKey('TTL', known)).toBe('ttl');
    expect(closestKey('prefx', known)).toBe('prefix');
    expect(closestKey('defualt', known)).toBe('default');
    expect(closestKey('isGlobal', known)).toBeUndefined();
    expect(closestKey('x', [])).toBeUndefined();
    expect(closestKey('maxEntires', ['maxEntries', 'maxBytes'])).toBe('maxEntries');
  });

  it('every failure is one CacheConfigError with the store, the field and the value given', () => {
    const check = storeOptionChecks('disk');
    const cases: [() => unknown, RegExp, string][] = [
      [
        () => check.positiveInt('maxEntries', 1.5, 1),
        /^stores\.disk\.maxEntries must be a positive integer, got 1\.5$/,
        'maxEntries',
      ],
      [() => check.positiveInt('maxBytes', '1kb', undefined), /got "1kb"$/, 'maxBytes'],
      [() => check.ms('pruneInterval', NaN, 0), /must be a number of ms >= 0, got NaN$/, 'pruneInterval'],
      [() => check.ms('lockStaleMs', 0, 1, 'positive'), /must be a number of ms > 0, got 0$/, 'lockStaleMs'],
      [
        () => check.oneOf('mode', 'fast', ['a', 'b'], 'a'),
        /^stores\.disk\.mode must be one of "a", "b", got "fast"$/,
        'mode',
      ],
      [() => check.boolean('clone', 1, true), /must be a boolean, got 1$/, 'clone'],
      [() => check.string('name', '', undefined, true), /must be a non-empty string, got ""$/, 'name'],
      [() => check.knownKeys({ maxEntires: 1 }, ['maxEntries']), /did you mean "maxEntries"\?$/, 'maxEntires'],
      [() => check.positiveInt('n', { a: 1 }, 1), /got \{"a":1\}$/, 'n'],
    ];
    for (const [run, message, field] of cases) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CacheConfigError);
      expect((err as CacheConfigError).message).toMatch(message);
      expect((err as CacheConfigError).store).toBe('disk');
      expect((err as CacheConfigError).field).toBe(field);
    }
  });

  it('returns the value given, or the default when unset', () => {
    const check = new OptionChecks(undefined);
    expect(check.positiveInt('n', undefined, 7)).toBe(7);
    expect(check.positiveInt('n', 3, 7)).toBe(3);
    expect(check.ms('t', undefined, 60_000)).toBe(60_000);
    expect(check.ms('t', 0, 60_000)).toBe(0);
    expect(check.oneOf('m', undefined, ['a', 'b'], 'b')).toBe('b');
    expect(check.boolean('b', false, true)).toBe(false);
    expect(check.string('s', 'x', undefined)).toBe('x');
    expect(() => check.fail('ttl', 'a duration', 'soon')).toThrow(/^ttl must be a duration, got "soon"$/);
  });
});
