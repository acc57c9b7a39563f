export { ManualClock } from './manual-clock';
export { describeStoreConformance } from './store-conformance';
export type { ConformanceFramework, ConformanceOptions } from './store-conformance';
export { createFakeCache, FakeCache } from './fake-cache';
export type { FakeCacheOptions, FakeOperation } from './fake-cache';
export { CacheTestingModule } from './cache-testing.module';
export type { CacheTestingModuleOptions } from './cache-testing.module';
