export { ManualClock } from './manual-clock';
export { describeStoreConformance } from './conformance/describe-store-conformance';
export type { ConformanceFramework, ConformanceOptions } from './conformance/conformance-context';
export { createFakeCache, FakeCache } from './fake-cache';
export type { FakeCacheOptions, FakeOperation } from './fake-cache';
export { CacheTestingModule } from './cache-testing.module';
export type { CacheTestingModuleOptions } from './cache-testing.module';
