/**
 * `nestjs-cachekit/admin`: an opt-in admin API and a live dashboard page for the app's caches.
 */
export { CacheAdminModule } from './cache-admin.module';
export type { CacheAdminOptions } from './cache-admin.options';
export type { AdminStore, KeyLookup } from './cache-admin.service';
