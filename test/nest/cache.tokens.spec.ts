/**
 * `getCacheToken` is typed per call: without a name it is `CacheService` (a class token, so
 * `moduleRef.get` infers `CacheService`); with a name it is a string, which Nest cannot type, so
 * `moduleRef.get` of it is `any` rather than a wrong `CacheService`, and the documented
 * `moduleRef.get<Cache>(getCacheToken(name))` is `Cache`. Both stay valid for `@Inject`.
 * Type-checked here through the compiler, as a user's project would check it.
 */
import { join } from 'node:path';
import { CacheService, getCacheToken } from '../../src';
import { typeErrors as typeErrorsOf } from '../support/type-check';

const probe = join(process.cwd(), 'test', 'nest', '__token-probe.ts');
const typeErrors = (text: string) => typeErrorsOf(probe, text);

describe('getCacheToken', () => {
  it('is CacheService without a name and a string with one', () => {
    expect(getCacheToken()).toBe(CacheService);
    expect(getCacheToken('redis')).toBe('nestjs-cachekit:store:redis');
  });

  it('types moduleRef.get: CacheService for the default, never CacheService for a named store', () => {
    const errors = typeErrors(
      [
        `import { Inject } from '@nestjs/common';`,
        `import type { ModuleRef } from '@nestjs/core';`,
        `import { CacheService, getCacheToken, InjectCache, type Cache } from 'nestjs-cachekit';`,
        `type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;`,
        `type IsAny<T> = 0 extends 1 & T ? true : false;`,
        `declare const moduleRef: ModuleRef;`,
        `declare const maybe: string | undefined;`,
        `const byDefault = moduleRef.get(getCacheToken());`,
        `const named = moduleRef.get(getCacheToken('redis'));`,
        `const typed = moduleRef.get<Cache>(getCacheToken('redis'));`,
        `const either = getCacheToken(maybe);`,
        `const token = getCacheToken('redis');`,
        `export const checks: [`,
        `  Equal<typeof byDefault, CacheService>,`,
        `  IsAny<typeof named>,`,
        `  Equal<typeof typed, Cache>,`,
        `  Equal<typeof token, string>,`,
        `  Equal<typeof either, string | typeof CacheService>,`,
        `] = [true, true, true, true, true];`,
        `export class Uses {`,
        `  constructor(`,
        `    @Inject(getCacheToken('redis')) readonly redis: Cache,`,
        `    @Inject(getCacheToken()) readonly service: CacheService,`,
        `    @Inject(getCacheToken(maybe)) readonly any: Cache,`,
        `    @InjectCache('redis') readonly viaDecorator: Cache,`,
        `  ) {}`,
        `}`,
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
