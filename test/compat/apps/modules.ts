import { Injectable, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import {
  CacheInterceptor,
  CacheModule,
  type CacheModuleOptions,
  type CacheOptionsFactory,
} from '@nestjs/cache-manager';
import { CachedController, ItemsController, PlainItemsController, ProfilesController } from './items.controller.js';
import { CallCounter, ProfilesService, SettingsService, StoresService } from './items.service.js';

const providers = [CallCounter, ProfilesService, SettingsService, StoresService];

/** `register()` with a default TTL in milliseconds. */
@Module({
  imports: [CacheModule.register({ ttl: 60_000 })],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class RegisterAppModule {}

/** Options a factory reads from another provider. */
@Injectable()
export class CacheSettings {
  readonly ttl = 60_000;
}

@Module({ providers: [CacheSettings], exports: [CacheSettings] })
export class SettingsModule {}

/** `registerAsync({ useFactory, inject, imports })`. */
@Module({
  imports: [
    CacheModule.registerAsync({
      imports: [SettingsModule],
      inject: [CacheSettings],
      useFactory: (settings: CacheSettings) => ({ ttl: settings.ttl }),
    }),
  ],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class FactoryAppModule {}

/** A class implementing `createCacheOptions()` (async). */
@Injectable()
export class CacheConfigService implements CacheOptionsFactory {
  async createCacheOptions(): Promise<CacheModuleOptions> {
    return { ttl: 60_000 };
  }
}

/** `registerAsync({ useClass })`. */
@Module({
  imports: [CacheModule.registerAsync({ useClass: CacheConfigService })],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class ClassAppModule {}

@Module({ providers: [CacheConfigService], exports: [CacheConfigService] })
export class CacheConfigModule {}

/** `registerAsync({ useExisting })` with `extraProviders`. */
@Module({
  imports: [
    CacheModule.registerAsync({
      imports: [CacheConfigModule],
      useExisting: CacheConfigService,
      extraProviders: [{ provide: 'EXTRA', useValue: 'extra provider' }],
    }),
  ],
  controllers: [ItemsController, CachedController, ProfilesController],
  providers,
})
export class ExistingAppModule {}

/** `isGlobal` and the interceptor for every route through `APP_INTERCEPTOR`. */
@Module({
  imports: [CacheModule.register({ isGlobal: true, ttl: 60_000 })],
  controllers: [PlainItemsController, ProfilesController],
  providers: [...providers, { provide: APP_INTERCEPTOR, useClass: CacheInterceptor }],
})
export class GlobalAppModule {}
