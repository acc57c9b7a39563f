/**
 * Cache decorator options are checked where the decorator is applied: an unknown key (a typo
 * such as `tll`, or `key` on `@CacheEvict`) or a wrong type is a CacheArgumentError naming the
 * decorator, the method and the option. Before, a typo was ignored (`@CacheEvict({ key })`
 * evicted nothing, `@Cacheable({ tll })` cached with the default TTL) and a wrong type failed at
 * every call with a JavaScript error ("template.matchAll is not a function").
 */
import { describe, expect, it } from '@jest/globals';
import { CacheArgumentError, Cacheable, CacheEvict, CacheLock, CachePut } from '../../../src';

type Apply = (options: never) => MethodDecorator;
const DECORATORS: Record<string, Apply> = {
  Cacheable: Cacheable as Apply,
  CacheEvict: CacheEvict as Apply,
  CachePut: CachePut as Apply,
  CacheLock: ((o: never) => CacheLock('job', o)) as Apply,
};

/** Applies `@<name>(options)` to OrdersService.find, as a class declaration does. */
function apply(name: string, options: unknown): unknown {
  try {
    class OrdersService {
      find(): Promise<number> {
        return Promise.resolve(1);
      }
    }
    const proto = OrdersService.prototype;
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'find') as PropertyDescriptor;
    DECORATORS[name](options as never)(proto, 'find', descriptor);
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('cache decorator options', () => {
  it.each([
    ['Cacheable', { tll: 60 }, /^@Cacheable on OrdersService\.find: "tll" is not a known option; did you mean "ttl"\?/],
    [
      'CacheEvict',
      { key: 'order:{0}' },
      /^@CacheEvict on OrdersService\.find: "key" is not a known option; did you mean "keys"\?/,
    ],
    ['CachePut', { key: 'o', stroe: 'redis' }, /"stroe" is not a known option; did you mean "store"\?/],
    [
      'CacheLock',
      { wiat: '5s' },
      /^@CacheLock on OrdersService\.find: "wiat" is not a known option; did you mean "wait"\?/,
    ],
    [
      'Cacheable',
      { key: 5 },
      /^@Cacheable on OrdersService\.find: key must be a non-empty string .* or a function of the arguments, got number 5/,
    ],
    ['Cacheable', { condition: true }, /condition must be a function, got boolean true/],
    ['Cacheable', { store: 5 }, /store must be a non-empty string, got number 5/],
    ['CacheEvict', { keys: 'order:1' }, /^@CacheEvict on OrdersService\.find: keys must be an array of keys/],
    ['CacheEvict', { keys: ['a'], allEntries: 'yes' }, /allEntries must be true or false, got "yes"/],
    ['CachePut', {}, /^@CachePut on OrdersService\.find: key is required/],
    ['CacheLock', { store: '' }, /store must be a non-empty string, got ""/],
  ])('@%s(%j) is a CacheArgumentError naming the method and the option', (name, options, message) => {
    const err = apply(name, options);
    expect(err).toBeInstanceOf(CacheArgumentError);
    expect((err as Error).message).toMatch(message);
  });

  it.each([
    [
      'Cacheable',
      {
        key: 'order:{0}',
        ttl: '1m',
        store: 'memory',
        staleTtl: 5,
        lock: true,
        condition: () => true,
        unless: () => false,
        vary: ['accept'],
      },
    ],
    ['Cacheable', { key: (id: number) => `order:${id}` }],
    ['CacheEvict', { keys: ['a', () => 'b'], tags: ['t'], allEntries: false, beforeInvocation: true, store: 'memory' }],
    ['CacheEvict', { tags: [] }],
    ['CachePut', { key: 'order:{0}', ttl: 60, store: 'memory' }],
    ['CacheLock', { ttl: '1m', wait: 0, store: 'memory' }],
  ])('@%s(%j) with every known option is accepted', (name, options) => {
    expect(apply(name, options)).toBeUndefined();
  });
});
