// The examples of the two seed documents this package unifies, translated to TypeScript as the
// README's table "Coming from other cache APIs" maps their names, and run as a user would write
// them: the Python cache core (a manager of named backends that is itself a cache) and the
// Laravel-style facade (put/get/remember/tags/store/extend/fake). Every seed name in the table
// appears here at least once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheService, createCacheManager, type CacheManager, type SeedVocabularyStore } from 'nestjs-cachekit';
import { CacheTestingModule, createFakeCache, FakeCache, ManualClock } from 'nestjs-cachekit/testing';

describe('the Python cache core, in TypeScript', () => {
  let manager: CacheManager | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await manager?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    manager = dir = undefined;
  });

  it('default memory backend: set / get with a ttl', async () => {
    // cache = CacheManager(); cache.set("greeting", "hello", ttl=60); cache.get("greeting")
    const clock = new ManualClock();
    const cache = (manager = createCacheManager({ clock }));
    await cache.set('greeting', 'hello', 60);
    expect(await cache.get('greeting')).toBe('hello');
    expect(await cache.has('greeting')).toBe(true);
    clock.advance('61s');
    expect(await cache.get('greeting')).toBeUndefined();
    expect(await cache.get('greeting', 'default')).toBe('default');
  });

  it('async usage', async () => {
    // await cache.aset(...); await asyncio.gather(...); await cache.aget_or_set(key, coro, ttl)
    const cache = (manager = createCacheManager());
    await Promise.all([cache.set('a', 1), cache.set('b', 2)]);
    expect(await Promise.all([cache.get('a'), cache.get('b')])).toEqual([1, 2]);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return { id: 7 };
    };
    const both = await Promise.all([cache.remember('user:7', 60, load), cache.remember('user:7', 60, load)]);
    expect(both).toEqual([{ id: 7 }, { id: 7 }]);
    expect(loads).toBe(1);
    expect(await cache.isHealthy()).toBe(true); // is_healthy()
  });

  it('a client bound to a named backend, with increment', async () => {
    // with manager.using("counters") as client: client.incr("visits"); client.incr("visits", 5)
    manager = createCacheManager({ stores: { memory: { driver: 'memory' }, counters: { driver: 'memory' } } });
    const visits = await manager.using('counters', async (client) => {
      await client.increment('visits');
      return client.increment('visits', 5);
    });
    expect(visits).toBe(6);
    expect(await manager.store('counters').get('visits')).toBe(6); // get_backend("counters")
    expect(await manager.get('visits')).toBeUndefined(); // the default backend is another one
    expect(() => manager!.using('nope', () => 0)).toThrow('Cache store "nope" is not configured');
  });

  it('a manager with "mem" and "disk" backends', async () => {
    // manager = CacheManager(default="mem", backends={"mem": MemoryBackend(), "disk": DiskBackend(path)})
    dir = mkdtempSync(join(tmpdir(), 'cachekit-seed-'));
    manager = createCacheManager({
      default: 'mem',
      stores: { mem: { driver: 'memory' }, disk: { driver: 'file', directory: dir } },
    });
    await manager.set('k', 'in memory');
    await manager.store('disk').set('k', 'on disk', '1h');
    expect(await manager.get('k')).toBe('in memory');
    expect(await manager.store('disk').get('k')).toBe('on disk');
    expect(manager.stores()).toEqual(['mem', 'disk']);
    expect(manager.hasStore('disk')).toBe(true);
    manager.setDefaultStore('disk');
    expect(await manager.get('k')).toBe('on disk');
    expect(Object.keys(await manager.health())).toEqual(['mem', 'disk']);
  });

  it('counters with a ttl', async () => {
    // cache.incr("rate:1.2.3.4", ttl=60) ... cache.decr(...); cache.ttl(key); cache.touch(key, 120)
    const clock = new ManualClock();
    const cache = (manager = createCacheManager({ clock }));
    expect(await cache.increment('rate:1.2.3.4', 1, 60)).toBe(1);
    expect(await cache.increment('rate:1.2.3.4', 1, 60)).toBe(2);
    expect(await cache.decrement('rate:1.2.3.4')).toBe(1);
    clock.advance('30s');
    const left = await cache.ttl('rate:1.2.3.4');
    expect(left).toBeGreaterThan(29);
    expect(left).toBeLessThanOrEqual(30.001);
    expect(await cache.touch('rate:1.2.3.4', 120)).toBe(true);
    clock.advance('61s');
    expect(await cache.get('rate:1.2.3.4')).toBe(1);
    clock.advance('60s');
    expect(await cache.has('rate:1.2.3.4')).toBe(false);
  });
});

describe('the Laravel-style facade, in TypeScript', () => {
  let fake: FakeCache;
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
    fake = createFakeCache({ clock, stores: ['memory', 'file'] });
  });
  afterEach(() => fake.manager.close());

  it('put / get / default / has / forget / flush', async () => {
    const cache: CacheService = fake;
    await cache.set('key', 'value', 600); // Cache::put('key', 'value', 600)
    expect(await cache.get('key')).toBe('value'); // Cache::get('key')
    expect(await cache.get('missing', 'default')).toBe('default'); // Cache::get('missing', 'default')
    expect(await cache.get('missing', () => 'computed')).toBe('computed'); // Cache::get('missing', fn)
    expect(await cache.has('key')).toBe(true); // Cache::has('key')
    expect(await cache.delete('key')).toBe(true); // Cache::forget('key')
    expect(await cache.has('key')).toBe(false);
    await cache.set('other', 1);
    await cache.clear(); // Cache::flush()
    expect(await cache.get('other')).toBeUndefined();
    expect(await cache.add('once', 'first')).toBe(true); // Cache::add
    expect(await cache.add('once', 'second')).toBe(false);
    expect(await cache.pull('once')).toBe('first'); // Cache::pull
  });

  it('remember, asynchronously', async () => {
    // $users = Cache::remember('users', 600, fn () => DB::table('users')->get());
    let queries = 0;
    const users = () => fake.remember('users', 600, async () => (queries++, [{ id: 1 }]));
    expect(await users()).toEqual([{ id: 1 }]);
    expect(await users()).toEqual([{ id: 1 }]);
    expect(queries).toBe(1);
  });

  it('remember, synchronously (memory stores)', () => {
    // $value = Cache::remember('rates', 60, fn () => compute_rates());  (a synchronous call)
    let computed = 0;
    const rates = () => fake.sync.remember('rates', 60, () => (computed++, { eur: 1.08 }));
    expect(rates()).toEqual({ eur: 1.08 });
    expect(rates()).toEqual({ eur: 1.08 });
    expect(computed).toBe(1);
    expect(fake.sync.get('rates')).toEqual({ eur: 1.08 });
    expect(fake.sync.increment('hits')).toBe(1);
  });

  it('the fake, with assertions that throw at the call', async () => {
    // Cache::fake(); ...; Cache::assertHas('key'); Cache::assertMissing('other');
    await fake.set('key', 'value');
    await fake.delete('gone');
    await fake.tags('users').flush();
    fake.assertHas('key');
    fake.assertMissing('other');
    fake.assertSet('key', 'value');
    fake.assertDeleted('gone');
    fake.assertFlushedTags('users');
    expect(() => fake.assertHas('other')).toThrow('Expected the cache to hold "other" in store "memory"');
    expect(() => fake.assertMissing('key')).toThrow('Expected "key" to be missing from store "memory"');
  });

  it('forever and rememberForever', async () => {
    await fake.forever('config', { theme: 'dark' }); // Cache::forever('config', ...)
    clock.advance('365d');
    expect(await fake.get('config')).toEqual({ theme: 'dark' });
    expect(await fake.ttl('config')).toBe(Infinity);
    expect(await fake.rememberForever('settings', () => 'loaded')).toBe('loaded'); // Cache::rememberForever
    expect(await fake.ttl('settings')).toBe(Infinity);
  });

  it('many / putMany', async () => {
    await fake.setMany({ a: 1, b: 2 }, 600); // Cache::putMany(['a' => 1, 'b' => 2], 600)
    expect(await fake.getMany(['a', 'b', 'c'])).toEqual({ a: 1, b: 2, c: undefined }); // Cache::many([...])
    expect(await fake.deleteMany(['a', 'b'])).toBe(2);
  });

  it('increment / decrement', async () => {
    expect(await fake.increment('visits')).toBe(1); // Cache::increment('visits')
    expect(await fake.increment('visits', 10)).toBe(11); // Cache::increment('visits', 10)
    expect(await fake.decrement('visits')).toBe(10); // Cache::decrement('visits')
    expect(await fake.decrement('visits', 4)).toBe(6);
  });

  it('tags: put / get / flush / remember', async () => {
    // Cache::tags(['people', 'artists'])->put('John', $john, 600);
    await fake.tags(['people', 'artists']).set('John', { name: 'John' }, 600);
    await fake.tags(['people', 'authors']).set('Anne', { name: 'Anne' }, 600);
    expect(await fake.tags(['people', 'artists']).get('John')).toEqual({ name: 'John' });
    let loads = 0;
    const authors = () => fake.tags('authors').remember('authors:all', 600, () => (loads++, ['Anne']));
    expect(await authors()).toEqual(['Anne']);
    // Cache::tags(['people', 'authors'])->flush(): everything tagged people or authors goes.
    await fake.tags('authors').flush();
    expect(await fake.get('Anne')).toBeUndefined();
    expect(await fake.get('John')).toEqual({ name: 'John' });
    expect(await authors()).toEqual(['Anne']);
    expect(loads).toBe(2);
    await fake.tags('people').flush();
    expect(await fake.get('John')).toBeUndefined();
    fake.assertFlushedTags('authors', 'people');
  });

  it('store(name)', async () => {
    // Cache::store('file')->put('bar', 'baz', 600); Cache::store('file')->get('bar')
    await fake.store('file').set('bar', 'baz', 600);
    expect(await fake.store('file').get('bar')).toBe('baz');
    expect(await fake.get('bar')).toBeUndefined();
  });

  it('switching the default store', async () => {
    // Cache::setDefaultDriver('file')
    fake.manager.setDefaultStore('file');
    await fake.set('where', 'file store');
    expect(await fake.store('file').get('where')).toBe('file store');
    expect(await fake.store('memory').get('where')).toBeUndefined();
  });

  it('custom driver registration', async () => {
    // Cache::extend('mongo', fn () => Cache::repository(new MongoStore));
    const rows = new Map<string, unknown>();
    const mongo: SeedVocabularyStore = {
      get: async (key) => rows.get(key),
      put: async (key, value) => void rows.set(key, value),
      forget: async (key) => rows.delete(key),
      flush: async () => rows.clear(),
    };
    fake.manager.registerStore('mongo', mongo, { ttl: '10m' });
    await fake.store('mongo').set('doc', { _id: 1 });
    expect(await fake.store('mongo').get('doc')).toEqual({ _id: 1 });
    expect(rows.size).toBe(1);
    expect(
      await fake
        .store('mongo')
        .ttl('doc')
        .catch((e: Error) => e.name),
    ).toBe('CacheUnsupportedError');
    // And from configuration, as a driver object:
    const manager = createCacheManager({ prefix: 'reports', stores: { mongo: { driver: mongo } } });
    expect(await manager.get('doc')).toBeUndefined(); // another module prefix, other keys
    await manager.set('doc', 'report');
    expect(rows.get('reports:doc')).toBe('report');
    await manager.close();
  });
});

// --- the complete UserService example -------------------------------------------------------

interface User {
  id: number;
  name: string;
}

@Injectable()
export class UserRepository {
  queries = 0;
  private readonly users = new Map<number, User>([[1, { id: 1, name: 'Ada' }]]);
  async find(id: number): Promise<User | undefined> {
    this.queries++;
    return this.users.get(id);
  }
  async save(user: User): Promise<void> {
    this.users.set(user.id, user);
  }
}

@Injectable()
export class UserService {
  constructor(
    @Inject(CacheService) private readonly cache: CacheService,
    @Inject(UserRepository) private readonly users: UserRepository,
  ) {}

  find(id: number): Promise<User | undefined> {
    return this.cache.tags(['users']).remember(`user:${id}`, '1h', () => this.users.find(id));
  }

  async rename(id: number, name: string): Promise<void> {
    await this.users.save({ id, name });
    await this.cache.delete(`user:${id}`);
  }

  async countLogin(id: number): Promise<number> {
    return this.cache.increment(`logins:${id}`, 1, '1d');
  }

  async forgetAll(): Promise<void> {
    await this.cache.tags('users').flush();
  }
}

describe('the complete UserService example', () => {
  it('caches, invalidates and counts, checked with the fake', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheTestingModule.forRoot()],
      providers: [UserService, UserRepository],
    }).compile();
    const service = moduleRef.get(UserService);
    const repo = moduleRef.get(UserRepository);
    const cache = moduleRef.get(FakeCache);

    expect(await service.find(1)).toEqual({ id: 1, name: 'Ada' });
    expect(await service.find(1)).toEqual({ id: 1, name: 'Ada' });
    expect(repo.queries).toBe(1);
    cache.assertSet('user:1', { id: 1, name: 'Ada' });
    cache.assertHit('user:1');

    await service.rename(1, 'Grace');
    cache.assertDeleted('user:1');
    expect(await service.find(1)).toEqual({ id: 1, name: 'Grace' });
    expect(repo.queries).toBe(2);

    expect(await service.countLogin(1)).toBe(1);
    expect(await service.countLogin(1)).toBe(2);
    cache.assertSet('logins:1', 2);

    await service.forgetAll();
    cache.assertFlushedTags('users');
    cache.assertMissing('user:1');
    await moduleRef.close();
  });
});
