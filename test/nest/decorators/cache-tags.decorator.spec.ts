import { CacheArgumentError, CacheTags } from '../../../src';

describe('@CacheTags', () => {
  it('refuses "__proto__" at decoration with a CacheArgumentError naming it; other Object.prototype names are tags', () => {
    expect(() => CacheTags(['users', '__proto__'])).toThrow(CacheArgumentError);
    expect(() => CacheTags(['__proto__'])).toThrow('Invalid cache tag "__proto__"');
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'user:{0}']) {
      expect(() => CacheTags([name])).not.toThrow();
    }
    expect(() => CacheTags([])).toThrow('@CacheTags(tags) needs a non-empty array of non-empty strings');
  });
});
