/**
 * `nestjs-cachekit/otel`: OpenTelemetry metrics and spans for cache operations.
 * `@opentelemetry/api` is an optional peer, loaded only by this entry point.
 */
export { instrumentCache } from './instrument-cache';
export type { InstrumentCacheOptions } from './instrument-cache';
