export { CacheHealthIndicator } from './cache.health';
export type { CacheHealthDetails, CacheHealthOptions } from './cache.health';
