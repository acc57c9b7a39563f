import { Module, type DynamicModule } from '@nestjs/common';
import { resolveAdminOptions, type CacheAdminOptions } from './cache-admin.options';
import { createAdminController } from './cache-admin.controller';
import { CACHE_ADMIN_OPTIONS, CacheAdminService } from './cache-admin.service';

/**
 * An admin API and live dashboard for the app's caches, under `/{path}` (default `/_cache`).
 * Off unless imported; every route, the page included, is behind `guards`.
 *
 * @example
 * CacheAdminModule.forRoot({ guards: [AdminTokenGuard], readOnly: process.env.NODE_ENV === 'production' })
 */
@Module({})
export class CacheAdminModule {
  static forRoot(options: CacheAdminOptions): DynamicModule {
    const resolved = resolveAdminOptions(options);
    return {
      module: CacheAdminModule,
      controllers: [createAdminController(resolved)],
      providers: [{ provide: CACHE_ADMIN_OPTIONS, useValue: resolved }, CacheAdminService],
    };
  }
}
