import { Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { Cacheable, CacheableMemory } from 'cacheable';
import Keyv from 'keyv';
import { CachedController, ItemsController, ProfilesController } from './items.controller.js';
import { CallCounter, ProfilesService, SettingsService, StoresService } from './items.service.js';

const providers = [CallCounter, ProfilesService, SettingsService, StoresService];

/** Memory in front of Redis, as the Nest docs show: a Keyv instance and a raw KeyvRedis adapter. */
@Module({
  imports: [
    CacheModule.registerAsync({
      isGlobal: true,
      useFactory: async () => ({
        ttl: 60_000,
        namespace: process.env.CACHE_NAMESPACE,
        stores: [
          new Keyv({ store: new CacheableMemory({ ttl: 60_000, lruSize: 5000 }) }),
          new KeyvRedis(process.env.REDIS_URL),
        ],
      }),
    }),
  ],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class KeyvRedisAppModule {}

/** A `cacheable` instance: memory primary, Redis secondary. */
@Module({
  imports: [
    CacheModule.registerAsync({
      useFactory: () => ({
        stores: new Cacheable({
          primary: new Keyv({ store: new CacheableMemory() }),
          secondary: new Keyv({ store: new KeyvRedis(process.env.REDIS_URL), namespace: process.env.CACHE_NAMESPACE }),
        }),
      }),
    }),
  ],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class CacheableAppModule {}
