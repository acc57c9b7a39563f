/**
 * `nestjs-cachekit/prometheus`: cache metrics on a prom-client registry. `prom-client` is an
 * optional peer, loaded only by this entry point.
 */
export { registerCacheMetrics } from './register-cache-metrics';
export type { CacheMetricsOptions } from './register-cache-metrics';
