export { ManualClock } from './manual-clock';
export { describeStoreConformance } from './store-conformance';
export type { ConformanceFramework, ConformanceOptions } from './store-conformance';
