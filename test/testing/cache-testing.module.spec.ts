import { Controller, Get, Inject, Injectable, Module, Param, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Cache, CacheManager, CacheModule, CacheService, getCacheToken, InjectCache } from '../../src';
import { CacheTestingModule, FakeCache, ManualClock } from '../../src/testing';

@Injectable()
class ProfileService {
  loads = 0;
  constructor(
    @Inject(CacheService) private readonly cache: CacheService,
    @InjectCache('sessions') private readonly sessions: Cache,
  ) {}

  profile(id: string) {
    return this.cache.remember(`profile:${id}`, '5m', async () => {
      this.loads++;
      return { id };
    });
  }

  async logout(token: string) {
    await this.sessions.delete(`session:${token}`);
    await this.cache.tags(['profiles']).flush();
  }
}

@Controller('profiles')
class ProfileController {
  constructor(@Inject(ProfileService) private readonly profiles: ProfileService) {}
  @Get(':id')
  get(@Param('id') id: string) {
    return this.profiles.profile(id);
  }
}

@Module({ providers: [ProfileService], controllers: [ProfileController], exports: [ProfileService] })
class ProfileModule {}

/**
 * The app's cache import, kept in a constant: Nest's `overrideModule` matches an import by
 * identity, so a dynamic module (`CacheModule.forRoot(...)`) is overridden through the same object.
 * Its "sessions" store fails if it is ever used in a test.
 */
const AppCacheModule = CacheModule.forRoot({
  isGlobal: true,
  stores: {
    memory: { driver: 'memory' },
    sessions: {
      driver: {
        get: () => Promise.reject(new Error('production store used in a test')),
        set: () => Promise.reject(new Error('production store used in a test')),
        delete: () => Promise.reject(new Error('production store used in a test')),
        clear: () => Promise.reject(new Error('production store used in a test')),
      },
    },
  },
});

@Module({ imports: [AppCacheModule, ProfileModule] })
class AppModule {}

describe('CacheTestingModule', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('provides CacheService, CacheManager, named stores and FakeCache as one fake', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheTestingModule.forRoot()],
      providers: [ProfileService],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    const fake = moduleRef.get(FakeCache);
    expect(fake).toBeInstanceOf(FakeCache);
    expect(moduleRef.get(CacheService)).toBe(fake);
    expect(moduleRef.get(CacheManager)).toBe(fake.manager);
    // `@InjectCache('sessions')` works although the options name no such store.
    expect(moduleRef.get<Cache>(getCacheToken('sessions'))).toBe(fake.store('sessions'));

    const service = moduleRef.get(ProfileService);
    await service.profile('1');
    await service.profile('1');
    expect(service.loads).toBe(1);
    fake.assertMissed('profile:1');
    fake.assertSet('profile:1', { id: '1' });
    fake.assertHit('profile:1');
    await service.logout('t');
    fake.assertDeleted('session:t');
    expect(fake.operations({ store: 'sessions' })).toEqual([{ type: 'delete', store: 'sessions', key: 'session:t' }]);
    fake.assertFlushedTags('profiles');
  });

  it("replaces the app's CacheModule import through overrideModule, and serves HTTP requests from the fake", async () => {
    const clock = new ManualClock();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(AppCacheModule)
      .useModule(CacheTestingModule.forRoot({ isGlobal: true, clock }))
      .compile();
    app = moduleRef.createNestApplication();
    await app.init();
    const fake = moduleRef.get(FakeCache);
    const service = moduleRef.get(ProfileService);

    await request(app.getHttpServer()).get('/profiles/7').expect(200, { id: '7' });
    await request(app.getHttpServer()).get('/profiles/7').expect(200, { id: '7' });
    expect(service.loads).toBe(1);
    clock.advance('6m');
    await request(app.getHttpServer()).get('/profiles/7').expect(200);
    expect(service.loads).toBe(2);
    // The production "sessions" store is replaced too.
    await service.logout('abc');
    fake.assertDeleted('session:abc');
    expect(fake.stats().sessions.errors).toBe(0);
  });

  it('keeps configured store names, default and TTLs, with every store in memory', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheTestingModule.forRoot({
          clock: new ManualClock(),
          default: 'redis',
          ttl: '1m',
          stores: { redis: { driver: 'redis' } as never, disk: { ttl: '1h' } },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    const fake = moduleRef.get(FakeCache);
    expect(fake.manager.defaultStoreName).toBe('redis');
    expect(fake.manager.stores()).toEqual(expect.arrayContaining(['redis', 'disk']));
    await fake.set('a', 1);
    await fake.store('disk').set('b', 1);
    expect(await fake.ttl('a')).toBe(60);
    expect(await fake.store('disk').ttl('b')).toBe(3600);
    expect(moduleRef.get(getCacheToken('disk'))).toBe(fake.store('disk'));
  });

  it('closes the fake manager when the app closes', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CacheTestingModule.forRoot()] }).compile();
    const testApp = moduleRef.createNestApplication();
    await testApp.init();
    const manager = moduleRef.get(CacheManager);
    let closed = 0;
    const close = manager.close.bind(manager);
    manager.close = async () => {
      closed++;
      await close();
    };
    await testApp.close();
    expect(closed).toBe(1);
  });

  it('store names that are Object.prototype members get a fake store of their own', async () => {
    const names = ['toString', '__proto__', 'constructor'];
    const moduleRef = await Test.createTestingModule({
      imports: [CacheTestingModule.forRoot({ storeNames: names })],
    }).compile();
    const fake = moduleRef.get(FakeCache);
    try {
      expect(fake.manager.stores()).toEqual(expect.arrayContaining(['memory', ...names]));
      for (const name of names) {
        expect(await fake.store(name).set('k', name)).toBe(true);
        expect(moduleRef.get(getCacheToken(name))).toBe(fake.store(name));
      }
      for (const name of names) expect(await fake.store(name).get('k')).toBe(name);
    } finally {
      await fake.manager.close();
    }
  });
});
