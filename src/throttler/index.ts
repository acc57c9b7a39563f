export { CacheThrottlerStorage } from './cache-throttler.storage';
export type { CacheThrottlerRecord, CacheThrottlerStorageOptions } from './cache-throttler.storage';
