import { ConfigService } from '@nestjs/config';
import type { CacheModuleOptions } from 'nestjs-cachekit';

/**
 * Memory by default. With REDIS_URL set, the default store becomes a two-tier store: hot keys
 * in memory, Redis as the shared truth, kept coherent across instances over pub/sub.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npm run sample
 */
export function cacheOptions(config: ConfigService): CacheModuleOptions {
  const redisUrl = config.get<string>('REDIS_URL');
  if (!redisUrl) {
    return { prefix: 'sample', ttl: '5m', stores: { memory: { driver: 'memory', maxEntries: 10_000 } } };
  }
  return {
    prefix: 'sample',
    ttl: '5m',
    default: 'near',
    stores: {
      memory: { driver: 'memory', maxEntries: 10_000 },
      redis: { driver: 'redis', url: redisUrl },
      near: { driver: 'tiered', tiers: ['memory', 'redis'], l1Ttl: '30s' },
    },
  };
}
