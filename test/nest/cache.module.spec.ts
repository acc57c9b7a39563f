import { Controller, Get, Inject, Injectable, Module, Param } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  Cache,
  CacheConfigError,
  CacheManager,
  CacheModule,
  CacheService,
  CacheStoreNotFoundError,
  getCacheToken,
  InjectCache,
  MemoryStore,
  type CacheModuleOptions,
} from '../../src';

@Injectable()
class UsersService {
  loads = 0;
  constructor(
    readonly cache: CacheService,
    @InjectCache('mem') readonly mem: Cache,
  ) {}
  find(id: string) {
    return this.cache.remember(`user:${id}`, '1m', async () => {
      this.loads++;
      return { id, name: `user ${id}` };
    });
  }
}

@Controller('users')
class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}
  @Get(':id')
  get(@Param('id') id: string) {
    return this.users.find(id);
  }
}

const options: CacheModuleOptions = {
  default: 'mem',
  prefix: 'e2e',
  stores: { mem: { driver: 'memory', maxEntries: 100 }, other: { driver: 'memory' } },
};

async function boot(imports: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: [UsersController],
    providers: [UsersService],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('CacheModule', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function exercise(a: INestApplication) {
    const first = await request(a.getHttpServer()).get('/users/7').expect(200);
    expect(first.body).toEqual({ id: '7', name: 'user 7' });
    await request(a.getHttpServer()).get('/users/7').expect(200);
    const users = a.get(UsersService);
    expect(users.loads).toBe(1);
    expect(await users.mem.get('user:7')).toEqual(first.body);
    expect(a.get(getCacheToken('other'))).toBeInstanceOf(Cache);
    expect(a.get(CacheManager).stores()).toEqual(['mem', 'other']);
  }

  it('forRoot takes store names that are Object.prototype members, as the default and through @InjectCache', async () => {
    @Injectable()
    class Named {
      constructor(
        @InjectCache('toString') readonly text: Cache,
        @InjectCache('__proto__') readonly proto: Cache,
      ) {}
    }
    // Built entry by entry: `{ __proto__: ... }` in an object literal would set the prototype.
    const stores: NonNullable<CacheModuleOptions['stores']> = {};
    for (const name of ['__proto__', 'toString', 'constructor']) {
      Object.defineProperty(stores, name, { value: { driver: 'memory' }, enumerable: true });
    }
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ stores })],
      providers: [Named],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const named = app.get(Named);
    const service = app.get(CacheService);
    expect(app.get(CacheManager).stores()).toEqual(['__proto__', 'toString', 'constructor']);
    expect(service.manager.defaultStoreName).toBe('__proto__');
    await named.text.set('k', 'text');
    await named.proto.set('k', 'proto');
    expect(await service.get('k')).toBe('proto');
    expect(await service.store('toString').get('k')).toBe('text');
    expect(app.get(getCacheToken('constructor'))).toBe(service.store('constructor'));
    expect(service.manager.hasStore('hasOwnProperty')).toBe(false);
    expect(() => service.store('hasOwnProperty')).toThrow(CacheStoreNotFoundError);
  });

  it('forRoot provides CacheService, CacheManager and named stores', async () => {
    app = await boot([CacheModule.forRoot(options)]);
    await exercise(app);
  });

  it('forRootAsync with useFactory and ConfigService', async () => {
    app = await boot([
      ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ CACHE_PREFIX: 'cfg' })] }),
      CacheModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        storeNames: ['other'],
        useFactory: (config: ConfigService) => ({ ...options, prefix: config.get('CACHE_PREFIX') }),
      }),
    ]);
    await exercise(app);
  });

  it('forRootAsync with useClass', async () => {
    class CacheConfig {
      createCacheOptions(): CacheModuleOptions {
        return options;
      }
    }
    app = await boot([CacheModule.forRootAsync({ useClass: CacheConfig, storeNames: ['other'] })]);
    await exercise(app);
  });

  it('forRootAsync with useExisting', async () => {
    @Injectable()
    class CacheConfig {
      createCacheOptions(): CacheModuleOptions {
        return options;
      }
    }
    @Module({ providers: [CacheConfig], exports: [CacheConfig] })
    class ConfigHolder {}
    app = await boot([
      CacheModule.forRootAsync({ imports: [ConfigHolder], useExisting: CacheConfig, storeNames: ['other'] }),
    ]);
    await exercise(app);
  });

  it('isGlobal makes CacheService available in feature modules', async () => {
    @Injectable()
    class FeatureService {
      constructor(readonly cache: CacheService) {}
    }
    @Module({ providers: [FeatureService], exports: [FeatureService] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ isGlobal: true }), FeatureModule],
    }).compile();
    const feature = moduleRef.get(FeatureService);
    await feature.cache.set('g', 1);
    expect(await feature.cache.get('g')).toBe(1);
    await moduleRef.close();
  });

  it('fails at start-up when a class injects a store that is not configured', async () => {
    @Injectable()
    class NeedsRedis {
      constructor(@InjectCache('redis-not-here') readonly redis: Cache) {}
    }
    const build = Test.createTestingModule({ imports: [CacheModule.forRoot()], providers: [NeedsRedis] }).compile();
    await expect(build.then((m) => m.init())).rejects.toThrow(
      'NeedsRedis injects @InjectCache("redis-not-here"): Cache store "redis-not-here" is not configured. Known stores: memory',
    );
  });

  it('names recorded by classes of another app do not break this one', async () => {
    // 'redis-not-here' was recorded by the previous test's class; this app never injects it.
    const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot()] }).compile();
    await moduleRef.init();
    const placeholder = moduleRef.get<Cache>(getCacheToken('redis-not-here'));
    expect(() => placeholder.get('x')).toThrow(CacheStoreNotFoundError);
    await moduleRef.close();
  });

  it('invalid options fail start-up with one clear error', async () => {
    const build = Test.createTestingModule({
      imports: [CacheModule.forRoot({ stores: { a: { driver: 'bogus' as never } } })],
    }).compile();
    await expect(build).rejects.toThrow(CacheConfigError);
    await expect(
      Test.createTestingModule({
        imports: [CacheModule.forRoot({ stores: { a: { driver: 'bogus' as never } } })],
      }).compile(),
    ).rejects.toThrow(/stores\.a\.driver: unknown driver "bogus"/);
  });

  it('an unknown key from a forRootAsync factory fails start-up with the closest known key', async () => {
    // The classic slip: `store` for `stores`, which would otherwise run on memory without a word.
    const factory = () => ({ store: 'redis', ttl: 60 }) as unknown as CacheModuleOptions;
    const build = Test.createTestingModule({
      imports: [CacheModule.forRootAsync({ useFactory: factory })],
    }).compile();
    await expect(build).rejects.toThrow(CacheConfigError);
    await expect(
      Test.createTestingModule({ imports: [CacheModule.forRootAsync({ useFactory: factory })] }).compile(),
    ).rejects.toThrow('store is not a known option; did you mean "stores"?');
    const nested = () => ({ stores: { mem: { driver: 'memory', maxEntires: 5 } } }) as unknown as CacheModuleOptions;
    await expect(
      Test.createTestingModule({ imports: [CacheModule.forRootAsync({ useFactory: nested })] }).compile(),
    ).rejects.toMatchObject({
      store: 'mem',
      field: 'maxEntires',
      message: 'stores.mem.maxEntires is not a known option; did you mean "maxEntries"?',
    });
  });

  it('an unknown key given to forRoot past the type checker fails the same way', async () => {
    const app = Test.createTestingModule({
      imports: [CacheModule.forRoot({ stores: { mem: { driver: 'memory' } }, defualt: 'mem' } as never)],
    }).compile();
    await expect(app).rejects.toThrow('defualt is not a known option; did you mean "default"?');
  });

  it('module extras (isGlobal, storeNames) are not mistaken for cache options', async () => {
    app = await boot([
      CacheModule.forRootAsync({ isGlobal: true, storeNames: ['mem', 'other'], useFactory: () => options }),
    ]);
    expect(app.get(CacheManager).stores()).toEqual(['mem', 'other']);
  });

  it('closes every store on app.close()', async () => {
    const store = new MemoryStore();
    let closed = 0;
    const close = store.close.bind(store);
    store.close = async () => {
      closed++;
      await close();
    };
    app = await boot([
      CacheModule.forRoot({ stores: { memory: { driver: store }, mem: { driver: 'memory' } }, storeNames: ['other'] }),
    ]);
    await app.close();
    app = undefined;
    expect(closed).toBe(1);
  });

  it('two apps in one process have separate caches', async () => {
    const a = await Test.createTestingModule({ imports: [CacheModule.forRoot()] }).compile();
    const b = await Test.createTestingModule({ imports: [CacheModule.forRoot()] }).compile();
    await a.get(CacheService).set('k', 'a');
    expect(await b.get(CacheService).get('k')).toBeUndefined();
    await a.close();
    await b.close();
  });
});
