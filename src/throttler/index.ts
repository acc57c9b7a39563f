export { CacheThrottlerStorage } from './cache-throttler.storage';
export type { CacheThrottlerRecord } from './cache-throttler.storage';
