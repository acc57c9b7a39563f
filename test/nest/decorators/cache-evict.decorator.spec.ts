import { CacheArgumentError, CacheEvict, type CacheEvictOptions } from '../../../src';

/** Applies @CacheEvict with these tags to UsersService.update, as a class declaration does. */
function decorate(tags: unknown): () => void {
  return () => {
    class UsersService {
      @CacheEvict({ tags } as CacheEvictOptions)
      update(): void {}
    }
    void UsersService;
  };
}

describe('@CacheEvict', () => {
  it('refuses a bad static tag where it is applied, naming the tag and the method', () => {
    expect(decorate(['users', '__proto__'])).toThrow(CacheArgumentError);
    expect(decorate(['__proto__'])).toThrow(
      /^tags of @CacheEvict on UsersService\.update: Invalid cache tag "__proto__"/,
    );
    expect(decorate(['users', ''])).toThrow(
      'tags of @CacheEvict on UsersService.update: every tag must be a non-empty string, got ""',
    );
    expect(decorate([42])).toThrow('every tag must be a non-empty string, got 42');
    expect(decorate('users')).toThrow('tags of @CacheEvict on UsersService.update must be an array of tag names');
  });

  it('accepts other Object.prototype names, templates (checked at the call) and no tags', () => {
    for (const tags of [['constructor', 'toString'], ['user:{0}'], ['{0}'], [], undefined]) {
      expect(decorate(tags)).not.toThrow();
    }
  });
});
