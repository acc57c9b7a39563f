// The store conformance suite lives in ./conformance/, one file per concern; this path stays for
// the imports that know it.
export { describeConformanceThrough, describeStoreConformance } from './conformance/describe-store-conformance';
export type { ConformanceFramework, ConformanceOptions } from './conformance/conformance-context';
