import { CacheConfigError } from './cache.errors';

/** The logging surface the core needs. The Nest layer passes Nest's `Logger` (context `Cache`). */
export interface CacheLogger {
  log?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The `logger` option, checked at start-up: a logger without `warn` or `error` (say `false`,
 * as `NestFactory.create` takes) would only throw at the first outage, from a connection
 * event, and take the process down with it.
 * @throws CacheConfigError naming the `logger` option.
 */
export function checkLogger(logger: unknown): CacheLogger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Partial<Record<keyof CacheLogger, unknown>> | null;
  const ok =
    l !== null &&
    (typeof l === 'object' || typeof l === 'function') &&
    typeof l.warn === 'function' &&
    typeof l.error === 'function' &&
    (l.log === undefined || typeof l.log === 'function');
  if (ok) return logger as CacheLogger;
  const got = l === null || typeof l !== 'object' ? String(logger) : 'an object without them';
  throw new CacheConfigError(
    `Cache option "logger" must have warn(message) and error(message) methods (log optional), got ${got}; ` +
      'to silence the cache, pass { warn() {}, error() {} }',
    undefined,
    'logger',
  );
}

/** Logs to the console; used when no logger is configured. */
export const consoleLogger: CacheLogger = {
  warn: (m) => console.warn(`[cache] ${m}`),
  error: (m) => console.error(`[cache] ${m}`),
};

/**
 * Logs the first error of a burst and counts the rest, so an outage produces a few lines,
 * not one per request: after `windowMs` of quiet the next error is logged again with the
 * number suppressed in between.
 */
export class BurstLogger {
  private windowStart = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: CacheLogger,
    private readonly now: () => number,
    private readonly windowMs = 10_000,
  ) {}

  error(message: string): void {
    const t = this.now();
    if (t - this.windowStart < this.windowMs) {
      this.suppressed++;
      return;
    }
    const extra = this.suppressed ? ` (${this.suppressed} similar errors suppressed)` : '';
    this.suppressed = 0;
    this.windowStart = t;
    this.logger.error(message + extra);
  }
}
