import type { StoreContext, CacheStore } from '../core/store.types';
import { FileStore } from './file.store';
import { MemoryStore } from './memory.store';
import { RedisStore } from './redis.store';
import { createTieredStore } from './tiered.options';
import type { StoreConfig } from './store-config';

/** Builds a built-in store from its configuration. */
export type DriverFactory = (config: StoreConfig, context: StoreContext) => CacheStore;

/** The built-in drivers by name. Each store file registers one line here. */
export const builtInDrivers: Record<string, DriverFactory> = {
  memory: (config, ctx) => {
    const {
      driver: _d,
      ttl: _t,
      prefix: _p,
      lock: _l,
      ...options
    } = config as Extract<StoreConfig, { driver: 'memory' }>;
    return new MemoryStore(options, ctx.clock, ctx.name, ctx.onEvict);
  },
  file: (config, ctx) => {
    const {
      driver: _d,
      ttl: _t,
      prefix: _p,
      lock: _l,
      ...options
    } = config as Extract<StoreConfig, { driver: 'file' }>;
    return new FileStore(options, ctx);
  },
  redis: (config, ctx) => {
    const {
      driver: _d,
      ttl: _t,
      prefix: _p,
      lock: _l,
      ...options
    } = config as Extract<StoreConfig, { driver: 'redis' }>;
    return new RedisStore(options, ctx);
  },
  tiered: (config, ctx) => {
    const {
      driver: _d,
      ttl: _t,
      prefix: _p,
      lock: _l,
      ...options
    } = config as Extract<StoreConfig, { driver: 'tiered' }>;
    return createTieredStore(options, ctx);
  },
};
