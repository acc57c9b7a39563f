import { CacheConfigError } from '../core/cache.errors';
import type { CacheManager } from '../core/cache-manager';

/** `telemetry` of `CacheModule.forRoot`: OpenTelemetry through the global providers. */
export interface CacheTelemetryOptions {
  /** Put the user's key on spans as `cache.key`. @default false */
  recordKeys?: boolean;
  /** One span per operation. @default true when a global tracer provider is registered */
  traces?: boolean;
  /** Without spans, time one operation in this many for the duration histogram. @default 16 */
  sampleEvery?: number;
}

const undos = new WeakMap<CacheManager, () => void>();

/**
 * Instruments the module's manager with `nestjs-cachekit/otel`, loaded only now: an app without
 * `telemetry` never loads `@opentelemetry/api`.
 */
export async function startTelemetry(
  manager: CacheManager,
  telemetry: boolean | CacheTelemetryOptions | undefined,
): Promise<void> {
  if (telemetry === undefined || telemetry === false) return;
  if (telemetry !== true && (typeof telemetry !== 'object' || telemetry === null || Array.isArray(telemetry))) {
    throw new CacheConfigError(
      `Cache option "telemetry" must be true, false or an object of telemetry options, got ${JSON.stringify(telemetry)}`,
      undefined,
      'telemetry',
    );
  }
  let otel: typeof import('../otel/index.js');
  try {
    otel = await import('../otel/index.js');
  } catch (err) {
    throw new CacheConfigError(
      'Cache option "telemetry" needs the @opentelemetry/api package: npm install @opentelemetry/api',
      undefined,
      'telemetry',
      { cause: err },
    );
  }
  undos.set(manager, otel.instrumentCache(manager, telemetry === true ? {} : telemetry));
}

/** Undoes {@link startTelemetry} (at application shutdown). */
export function stopTelemetry(manager: CacheManager): void {
  undos.get(manager)?.();
  undos.delete(manager);
}
